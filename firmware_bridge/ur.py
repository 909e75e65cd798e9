"""Blockchain Commons Uniform Resources (single-part) for air-gapped devices shown as QR codes.

`ur:<type>/<bytewords>` where the bytewords are the minimal encoding (first and last letter
of each word) of the CBOR bytes followed by their CRC-32, big-endian (BCR-2020-005 and
BCR-2020-012). No maintained Python UR library exists, so this is single-part only; large
messages that need multi-part fountain codes are refused with a clear error.
"""

from __future__ import annotations

import re
import zlib

from dmind.policies.errors import InputError

# BCR-2020-012: the 256 bytewords, byte i is WORDS[4i:4i+4].
WORDS = (
    "ableacidalsoapexaquaarchatomauntawayaxisbackbaldbarnbeltbetabiasbluebodybragbrewbulbbuzzcalmcashcatschefcityclawcode"
    "colacookcostcruxcurlcuspcyandarkdatadaysdelidicedietdoordowndrawdropdrumdulldutyeacheasyechoedgeepicevenexamexiteyes"
    "factfairfernfigsfilmfishfizzflapflewfluxfoxyfreefrogfuelfundgalagamegeargemsgiftgirlglowgoodgraygrimgurugushgyrohalf"
    "hanghardhawkheathelphighhillholyhopehornhutsicedideaidleinchinkyintoirisironitemjadejazzjoinjoltjowljudojugsjumpjunk"
    "jurykeepkenokeptkeyskickkilnkingkitekiwiknoblamblavalazyleaflegsliarlimplionlistlogoloudloveluaulucklungmainmanymath"
    "mazememomenumeowmildmintmissmonknailnavyneednewsnextnoonnotenumbobeyoboeomitonyxopenovalowlspaidpartpeckplaypluspoem"
    "poolposepuffpumapurrquadquizraceramprealredorichroadrockroofrubyruinrunsrustsafesagascarsetssilkskewslotsoapsolosong"
    "stubsurfswantacotasktaxitenttiedtimetinytoiltombtoystriptunatwinuglyundouniturgeuservastveryvetovialvibeviewvisavoid"
    "vowswallwandwarmwaspwavewaxywebswhatwhenwhizwolfworkyankyawnyellyogayurtzapszerozestzinczonezoom"
)
MINIMAL = [WORDS[4 * i] + WORDS[4 * i + 3] for i in range(256)]
_FROM_MINIMAL = {pair: i for i, pair in enumerate(MINIMAL)}
_TYPE = re.compile(r"[a-z0-9-]+")
MAX_SINGLE_PART = 4096  # bytes; beyond this a QR code is unreadable and multi-part would be needed
MAX_UR_CHARS = 2 * (MAX_SINGLE_PART + 4) + 256  # two letters per byte and CRC byte, and room for the type


class URError(InputError):
    """A UR string refused; `code` is stable."""


def bytewords_minimal(data: bytes) -> str:
    """Minimal bytewords of `data` with its CRC-32 appended."""
    return "".join(MINIMAL[b] for b in data + zlib.crc32(data).to_bytes(4, "big"))


def from_bytewords_minimal(text: str) -> bytes:
    """The bytes of minimal bytewords, checking the appended CRC-32."""
    if len(text) % 2 or len(text) < 10:
        raise URError("UR_MALFORMED", "bytewords must be pairs of letters, at least five bytes")
    try:
        raw = bytes(_FROM_MINIMAL[text[i : i + 2]] for i in range(0, len(text), 2))
    except KeyError as exc:
        raise URError("UR_MALFORMED", f"{exc.args[0]!r} is not a byteword") from exc
    data, crc = raw[:-4], raw[-4:]
    if zlib.crc32(data).to_bytes(4, "big") != crc:
        raise URError("UR_CHECKSUM", "bytewords checksum does not match")
    return data


def encode_ur(ur_type: str, cbor: bytes) -> str:
    """`ur:<type>/<minimal bytewords>` for one CBOR item."""
    if not _TYPE.fullmatch(ur_type):
        raise URError("UR_TYPE", f"UR type {ur_type!r} must be lower-case letters, digits and dashes")
    if not cbor:
        raise URError("UR_MALFORMED", "a UR carries at least one byte of CBOR")
    if len(cbor) > MAX_SINGLE_PART:
        raise URError("UR_TOO_LARGE", f"{len(cbor)} bytes need multi-part URs, which this bridge does not implement")
    return f"ur:{ur_type}/{bytewords_minimal(cbor)}"


def decode_ur(text: str) -> tuple[str, bytes]:
    """(type, CBOR bytes) of a single-part UR; case-insensitive, as QR alphanumeric mode is upper-case."""
    if len(text) > MAX_UR_CHARS:
        raise URError("UR_TOO_LARGE", f"a single-part UR is at most {MAX_UR_CHARS} characters")
    lowered = text.strip().lower()
    if not lowered.startswith("ur:"):
        raise URError("UR_MALFORMED", "a UR starts with ur:")
    parts = lowered[3:].split("/")
    if len(parts) != 2:
        raise URError("UR_MULTIPART" if len(parts) == 3 else "UR_MALFORMED", "only single-part URs are supported")
    ur_type, body = parts
    if not _TYPE.fullmatch(ur_type):
        raise URError("UR_TYPE", f"UR type {ur_type!r} is not valid")
    return ur_type, from_bytewords_minimal(body)
