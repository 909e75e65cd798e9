"""The mobile host API (a wallet SDK's "bridge"): one function a host app calls, `handle(request: bytes) -> bytes`.

CBOR in and CBOR out (a JSON object in gets a JSON object back, for debugging). Every request
is a map with `api_version`, `request_id` and `op`; every response carries the same
`api_version` and `request_id` and either a `result` or an error `code` and `message`. Nothing
raises across the language boundary: garbage, wrong versions, oversized input and our own bugs
all come back as an error response, and an error response is never a permission to sign.

The messages are described in `host_api.cddl` beside this file (checked by the tests). State is
what `PolicyStore` keeps on a device, in memory: the pinned trust keys, the highest revision
accepted per bundle id, and the active verified bundle, which governs only the chains in its
scope. The nano model, when the bridge runs it for the host, is loaded once and kept as a
cache. No threads are started. CBOR bytes are scanned before cbor2 sees them: no tag reaches
the decoder, and items and depth are counted; JSON is read by the one strict reader.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

import cbor2
from dmind.policies.cbor_strict import CborError, check_well_formed
from dmind.policies.errors import InputError

from .errors import EdgeError
from .limits import MAX_REQUEST_JSON_BYTES
from .pipeline import evaluate_json
from .render import decision_json
from .requests_io import loads_strict
from .types import Lang
from .version import runtime_version

if TYPE_CHECKING:
    from dmind.policies.bundle import VerifiedBundle

    from .nano.reader import ModelReader

log = logging.getLogger(__name__)

API_VERSION = 1
# A request is the EIP-1193 request plus a little envelope; a policy bundle is at most 256 KiB.
MAX_BRIDGE_BYTES = MAX_REQUEST_JSON_BYTES + 512 * 1024
MAX_DEPTH = 64  # nesting of maps and arrays in one message
MAX_TRUST_KEYS = 16
MAX_ITEMS = 500_000  # CBOR items in one message: a typed-data request at its own limits stays well under
ENVELOPE = ("api_version", "request_id", "op")


class HostApiError(InputError):
    """A request refused at the bridge, with a stable code (`BRIDGE_*`, `BUNDLE_*`, `POLICY_*`)."""


@dataclass(frozen=True, slots=True)
class Field:
    """One field of an operation's request: its name, the types it may take, whether it must be there."""

    name: str
    types: tuple[type, ...]
    required: bool = False


def _check_fields(op: str, body: dict, fields: tuple[Field, ...]) -> None:
    known = {f.name for f in fields} | set(ENVELOPE)
    unknown = sorted(str(k) for k in body if k not in known)
    if unknown:
        raise HostApiError("BRIDGE_FIELD_UNKNOWN", f"`{op}` takes no field {', '.join(unknown)}")
    for f in fields:
        value = body.get(f.name)
        if value is None:
            if f.required:
                raise HostApiError("BRIDGE_FIELD_MISSING", f"`{op}` needs `{f.name}`")
            continue
        if isinstance(value, bool) and bool not in f.types or not isinstance(value, f.types):
            raise HostApiError("BRIDGE_FIELD_INVALID", f"`{f.name}` must be {' or '.join(t.__name__ for t in f.types)}")


def _json_shaped(value: Any, depth: int = 0) -> None:
    """Refuse what JSON cannot say (bytes, tags, non-text keys, undefined) inside an EIP-1193 request."""
    if depth > MAX_DEPTH:
        raise HostApiError("BRIDGE_MESSAGE_INVALID", f"the message nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, float) and not math.isfinite(value):
        raise HostApiError("BRIDGE_MESSAGE_INVALID", "NaN and infinity are not JSON values")
    if value is None or isinstance(value, (str, bool, int, float)):
        return
    if isinstance(value, list):
        for item in value:
            _json_shaped(item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise HostApiError("BRIDGE_MESSAGE_INVALID", "map keys in a request must be text")
            _json_shaped(item, depth + 1)
        return
    raise HostApiError("BRIDGE_MESSAGE_INVALID", f"a request holds only JSON values, not {type(value).__name__}")


def _is_request_id(value: Any) -> bool:
    """Text, or an unsigned integer that fits CBOR's major type 0."""
    if isinstance(value, str):
        return len(value) <= 256
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**64


def _decode(data: bytes) -> tuple[Any, bool]:
    """The request object and whether it came as JSON (decided before parsing, so a bad JSON request gets JSON back)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise HostApiError("BRIDGE_MESSAGE_INVALID", "the request must be bytes")
    data = bytes(data)
    as_json = data.lstrip()[:1] == b"{"
    if len(data) > MAX_BRIDGE_BYTES:
        raise _Answer(
            as_json,
            HostApiError(
                "BRIDGE_TOO_LARGE", f"the request is {len(data)} bytes, over the {MAX_BRIDGE_BYTES}-byte limit"
            ),
        )
    if as_json:
        try:
            return loads_strict(data, "the request"), True
        except EdgeError as exc:
            raise _Answer(True, HostApiError("BRIDGE_MESSAGE_INVALID", exc.message)) from exc
    try:
        # Bytes first: no tag (bignums, regular expressions, value sharing) reaches cbor2, items and depth are counted.
        check_well_formed(data, max_depth=MAX_DEPTH, max_items=MAX_ITEMS)
        return cbor2.loads(data), False
    except CborError as exc:
        raise HostApiError(
            "BRIDGE_MESSAGE_INVALID", f"the request is not CBOR the bridge accepts: {exc} ({exc.code})"
        ) from exc
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError, MemoryError) as exc:
        raise HostApiError("BRIDGE_MESSAGE_INVALID", f"the request is not valid CBOR: {exc}") from exc


class _Answer(Exception):
    """A refusal that already knows whether to answer in JSON."""

    def __init__(self, as_json: bool, error: HostApiError) -> None:
        super().__init__(error.message)
        self.as_json = as_json
        self.error = error


def _encode(response: dict, as_json: bool) -> bytes:
    if as_json:
        return json.dumps(response, ensure_ascii=False).encode("utf-8")
    return cbor2.dumps(response, canonical=True)


def _bytes_field(value: Any, name: str) -> bytes:
    """A bytes field: a CBOR byte string, or (in JSON) 0x-hex."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str) and value.startswith("0x"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise HostApiError("BRIDGE_FIELD_INVALID", f"`{name}` must be bytes (0x-hex in JSON)")


def _lang(body: dict) -> Lang:
    """The language of the sentences in the answer (`en` by default)."""
    try:
        return Lang(body.get("lang") or Lang.EN)
    except ValueError:
        raise HostApiError(
            "BRIDGE_FIELD_INVALID", f"`lang` must be one of {', '.join(Lang)}, not {str(body['lang'])[:16]!r}"
        ) from None


EVALUATE = (
    Field("request", (dict,), required=True),
    Field("chain_id", (int, str)),  # an EIP-155 chain id, or a CAIP-2 id (eip155:1, solana:5eykt4Us…)
    Field("from", (str,)),
    Field("origin", (str,)),
    Field("stated_intent", (str, dict)),
    Field("nano_output", (str,)),
    Field("now", (int,)),
    Field("known_addresses", (list,)),
    Field("address_lookup_tables", (dict,)),
    Field("lang", (str,)),
)
LOAD_POLICY = (
    Field("bundle", (bytes, str), required=True),
    Field("trust_keys", (list,)),
    Field("now", (int,)),
    Field("allow_new_id", (bool,)),
)
READ_INTENT = (Field("words", (str,), required=True), Field("nano_output", (str,)))
NANO_PROMPT = (Field("messages", (list,), required=True),)
INFO: tuple[Field, ...] = ()


class Bridge:
    """The bridge's state: pinned trust keys, the revision record, the active bundle, and the nano model once loaded (a cache)."""

    def __init__(self, clock: Callable[[], float] = time.time, trust_keys: frozenset[bytes] | None = None) -> None:
        self.clock = clock
        self.trust_keys = trust_keys  # raw Ed25519 keys, pinned here or by the first load_policy
        self._trust = None  # their TrustStore, built on first use
        self.revisions: dict[str, int] = {}  # bundle id -> highest revision accepted
        self.bundle: Optional[VerifiedBundle] = None
        self._reader: Optional[ModelReader] = None
        self._ops: dict[str, tuple[tuple[Field, ...], Callable[[dict], dict]]] = {
            "info": (INFO, self._info),
            "evaluate": (EVALUATE, self._evaluate),
            "load_policy": (LOAD_POLICY, self._load_policy),
            "read_intent": (READ_INTENT, self._read_intent),
            "nano_prompt": (NANO_PROMPT, self._nano_prompt),
        }

    def handle(self, request: bytes) -> bytes:
        """Answer one request; never raises."""
        as_json, request_id = False, None
        try:
            try:
                body, as_json = _decode(request)
            except _Answer as answer:
                as_json = answer.as_json
                raise answer.error from answer
            if not isinstance(body, dict):
                raise HostApiError("BRIDGE_MESSAGE_INVALID", "the request must be a map")
            request_id = body.get("request_id")
            if not _is_request_id(request_id):
                request_id = None
                raise HostApiError(
                    "BRIDGE_FIELD_MISSING", "every request needs a `request_id` (text or unsigned integer)"
                )
            if type(body.get("api_version")) is not int or body["api_version"] != API_VERSION:  # not True, not 1.0
                raise HostApiError(
                    "BRIDGE_VERSION_UNSUPPORTED", f"api_version {body.get('api_version')!r} is not {API_VERSION}"
                )
            op = body.get("op")
            if not isinstance(op, str) or op not in self._ops:
                raise HostApiError(
                    "BRIDGE_OP_UNKNOWN", f"no operation {op!r}; the operations are {', '.join(self._ops)}"
                )
            fields, run = self._ops[op]
            _check_fields(op, body, fields)
            response = {"api_version": API_VERSION, "request_id": request_id, "result": run(body)}
        except HostApiError as exc:
            response = {"api_version": API_VERSION, "request_id": request_id, "code": exc.code, "message": exc.message}
        except Exception:  # a bug of ours is an error response, never an exception in the host
            log.exception("bridge error on request %r", request_id)
            response = {
                "api_version": API_VERSION,
                "request_id": request_id,
                "code": "BRIDGE_INTERNAL_ERROR",
                "message": "the bridge hit an internal error; nothing may be signed on this answer",
            }
        try:
            return _encode(response, as_json)
        except (TypeError, ValueError, OverflowError):
            log.exception("bridge could not encode the response to %r", request_id)
            return _encode(
                {
                    "api_version": API_VERSION,
                    "request_id": None,
                    "code": "BRIDGE_INTERNAL_ERROR",
                    "message": "the bridge could not encode its answer",
                },
                as_json,
            )

    def _now(self, body: dict) -> int:
        if body.get("now") is None:
            return int(self.clock())
        if not 0 <= body["now"] < 2**64:
            raise HostApiError("BRIDGE_FIELD_INVALID", "`now` is unix seconds, an unsigned integer")
        return body["now"]

    def _policy(self, now: int):
        """The active policy: the verified bundle inside its validity window, else the built-in default."""
        from dmind.policies import default_policy

        if self.bundle is None:
            return default_policy()
        info = self.bundle.info
        if not info.not_before <= now < info.expires_at:
            raise HostApiError(
                "POLICY_EXPIRED",
                f"the active policy bundle {info.bundle_id} r{info.revision} is valid only from "
                f"{info.not_before} to {info.expires_at}; load a current one",
            )
        return self.bundle.policy

    def _info(self, _body: dict) -> dict:
        from importlib.util import find_spec

        from dmind.policies import default_policy

        policy = self.bundle.policy if self.bundle is not None else default_policy()
        info = self.bundle.info if self.bundle is not None else None
        return {
            "runtime": runtime_version(),
            "operations": sorted(self._ops),
            "nano_runtime": find_spec("onnxruntime") is not None,
            "policy": {
                "id": policy.policy_id,
                "revision": policy.revision,
                "signed": info is not None,
                "valid_now": info is None or info.not_before <= int(self.clock()) < info.expires_at,
            },
        }

    def _reader_for(self, body: dict):
        """What reads the user's words: the host's own model output when given, else the built-in model (when importable)."""
        if body.get("nano_output") is not None:
            from .nano.reply import parse_reply

            raw = body["nano_output"]
            return lambda _words: parse_reply(raw)
        if self._reader is None:
            from .nano.reader import ModelReader

            self._reader = ModelReader()
        return self._reader

    def _evaluate(self, body: dict) -> dict:
        request = body["request"]
        _json_shaped(request)
        if isinstance(body.get("stated_intent"), dict):
            _json_shaped(body["stated_intent"])
        now = self._now(body)
        policy = self._policy(now)
        obj = {
            "id": body["request_id"],
            "request": request,
            "chainId": body.get("chain_id"),
            "from": body.get("from"),
            "origin": body.get("origin"),
            "stated_intent": body.get("stated_intent"),
            "known_addresses": body.get("known_addresses"),
            "address_lookup_tables": body.get("address_lookup_tables"),
        }
        reader = self._reader_for(body) if isinstance(body.get("stated_intent"), str) else None
        scope = self.bundle.info.scope if self.bundle is not None else None
        return decision_json(evaluate_json(obj, policy, now=now, intent_reader=reader, scope=scope), _lang(body))

    def _trust_keys(self, body: dict) -> frozenset[bytes]:
        """The raw Ed25519 keys a load_policy call names (at most MAX_TRUST_KEYS); each a valid 32-byte public key."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        named = body.get("trust_keys") or ()
        if len(named) > MAX_TRUST_KEYS:
            raise HostApiError("BRIDGE_FIELD_INVALID", f"at most {MAX_TRUST_KEYS} trust keys may be pinned")
        keys = set()
        for i, key in enumerate(named):
            raw = _bytes_field(key, f"trust_keys[{i}]")
            if len(raw) != 32:
                raise HostApiError("BRIDGE_FIELD_INVALID", f"trust_keys[{i}] must be a raw 32-byte Ed25519 public key")
            try:
                Ed25519PublicKey.from_public_bytes(raw)
            except ValueError as exc:
                raise HostApiError(
                    "BRIDGE_FIELD_INVALID", f"trust_keys[{i}] is not an Ed25519 public key: {exc}"
                ) from exc
            keys.add(raw)
        return frozenset(keys)

    def _trust_store(self):
        """The TrustStore of the pinned keys, built once."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from dmind.policies.bundle import TrustStore

        if self._trust is None:
            self._trust = TrustStore()
            for raw in sorted(self.trust_keys or ()):
                self._trust.add(Ed25519PublicKey.from_public_bytes(raw))
        return self._trust

    def _load_policy(self, body: dict) -> dict:
        """Verify and activate a bundle, as `PolicyStore` does: pinned keys, and no revision ever goes back.

        The first call pins the trust keys it names (or the host pins them when it builds the Bridge);
        later calls may repeat those keys or leave them out, never change them. The highest revision
        accepted for every bundle id is kept, so switching ids cannot bring an old revision back.
        """
        from dmind.policies.bundle import verify_bundle
        from dmind.policies.errors import InputError

        data = _bytes_field(body["bundle"], "bundle")
        keys = self._trust_keys(body)
        if self.trust_keys is None:
            if not keys:
                raise HostApiError(
                    "BRIDGE_FIELD_MISSING", "no trust keys are pinned yet: the first `load_policy` names them"
                )
            self.trust_keys = keys
        elif keys and keys != self.trust_keys:
            raise HostApiError(
                "BRIDGE_TRUST_KEYS_PINNED",
                "the trust keys are pinned for the life of this bridge; a bundle cannot bring its own",
            )
        trust = self._trust_store()
        active = self.bundle.info if self.bundle is not None else None
        try:
            verified = verify_bundle(data, trust, self._now(body), runtime_version(), dict(self.revisions))
        except InputError as exc:
            raise HostApiError(exc.code, exc.message) from exc
        if active and verified.info.bundle_id != active.bundle_id and not body.get("allow_new_id"):
            raise HostApiError(
                "BUNDLE_ID_CHANGED",
                f"the active bundle is {active.bundle_id}; switching to {verified.info.bundle_id} needs allow_new_id",
            )
        info = verified.info
        self.revisions[info.bundle_id] = max(self.revisions.get(info.bundle_id, -1), info.revision)
        self.bundle = verified
        return {
            "bundle_id": info.bundle_id,
            "revision": info.revision,
            "policy_id": verified.policy.policy_id,
            "expires_at": info.expires_at,
            "sha256": verified.digest,
            "scope": list(info.scope),
        }

    def _read_intent(self, body: dict) -> dict:
        from .nano.errors import ReaderUnavailable
        from .nano.tools import CallError

        try:
            reply = self._reader_for(body)(body["words"])
        except ReaderUnavailable as exc:
            raise HostApiError(
                "INTENT_MODEL_UNAVAILABLE", f"the user's words cannot be read here: {exc.message}"
            ) from exc
        except CallError as exc:
            raise HostApiError(exc.code, exc.message) from exc
        if reply.call is not None:
            return {"call": {"name": reply.call.name, "arguments": reply.call.arguments}}
        return {"text": reply.text}

    def _nano_prompt(self, body: dict) -> dict:
        """The prompt text and decoding grammar for a host that runs the nano model itself."""
        from .nano.grammar import lark_grammar
        from .nano.grounding import grounds_in
        from .nano.protocol import render_prompt

        messages = body["messages"]
        _json_shaped(messages)
        if not all(isinstance(m, dict) and m.get("role") in ("user", "assistant", "tool") for m in messages):
            raise HostApiError(
                "BRIDGE_FIELD_INVALID", "`messages` are {role: user|assistant|tool, ...} maps (OpenAI chat form)"
            )
        try:
            prompt = render_prompt(messages)
        except (ValueError, TypeError, KeyError) as exc:
            raise HostApiError("BRIDGE_FIELD_INVALID", f"`messages` cannot be rendered: {exc}") from exc
        return {"prompt": prompt, "grammar": lark_grammar(grounds_in(messages))}


_DEFAULT = Bridge()


def handle(request: bytes) -> bytes:
    """The host's entry point: one CBOR (or JSON) request in, one response out; never raises."""
    return _DEFAULT.handle(request)


__all__ = ["API_VERSION", "Bridge", "HostApiError", "handle"]
