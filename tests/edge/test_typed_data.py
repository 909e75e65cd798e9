"""EIP-712: digests against eth-account, strict validation, non-canonical domains flagged."""

from __future__ import annotations

import json

import pytest
from dmind.edge.errors import EdgeError
from dmind.edge.parse.typed_data import parse_typed_data
from eth_account.messages import _hash_eip191_message, encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders import EIP712_DOMAIN, SEAPORT, SIGNER, USDC, eip2612_permit, permit2_single, seaport_order


def _json_safe(value: int):
    """Integers past 2^53 travel as strings, as JavaScript dapps must send them."""
    return value if abs(value) < 2**53 else str(value)


ATOMIC = {
    "uint256": st.integers(0, 2**256 - 1).map(_json_safe),
    "uint8": st.integers(0, 255),
    "int128": st.integers(-(2**127), 2**127 - 1).map(_json_safe),
    "address": st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()),
    "bool": st.booleans(),
    "bytes32": st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex()),
    "bytes": st.binary(max_size=40).map(lambda b: "0x" + b.hex()),
    "string": st.text(max_size=20),
}


@st.composite
def typed_documents(draw) -> dict:
    """A primary type with atomic fields, an array, and a nested struct."""
    inner_fields = draw(st.lists(st.sampled_from(sorted(ATOMIC)), min_size=1, max_size=3))
    outer_fields = draw(st.lists(st.sampled_from(sorted(ATOMIC)), min_size=1, max_size=4))
    inner = [{"name": f"i{i}", "type": t} for i, t in enumerate(inner_fields)]
    outer = [{"name": f"o{i}", "type": t} for i, t in enumerate(outer_fields)]
    outer += [{"name": "child", "type": "Inner"}, {"name": "list", "type": f"{outer_fields[0]}[]"}]
    message = {f["name"]: draw(ATOMIC[f["type"]]) for f in outer[:-2]}
    message["child"] = {f["name"]: draw(ATOMIC[f["type"]]) for f in inner}
    message["list"] = draw(st.lists(ATOMIC[outer_fields[0]], max_size=3))
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN, "Outer": outer, "Inner": inner},
        "primaryType": "Outer",
        "domain": {
            "name": draw(st.text(max_size=10)),
            "version": "1",
            "chainId": draw(st.integers(1, 2**40)),
            "verifyingContract": "0x" + draw(st.binary(min_size=20, max_size=20)).hex(),
        },
        "message": message,
    }


def _reference_digest(document: dict) -> bytes:
    return _hash_eip191_message(encode_typed_data(full_message=document))


@settings(max_examples=120, deadline=None)
@given(typed_documents())
def test_digest_matches_eth_account(document):
    _, signing_bytes, digest, notes = parse_typed_data(json.dumps(document))
    assert digest == _reference_digest(document)
    assert signing_bytes[:2] == b"\x19\x01"
    assert not notes


@pytest.mark.parametrize(
    "document", [eip2612_permit(SIGNER, 10, 20), permit2_single(SIGNER, 10, 20, 30), seaport_order(SIGNER, 5)]
)
def test_known_schemas_match_eth_account(document):
    assert parse_typed_data(document)[2] == _reference_digest(document)


@pytest.mark.parametrize("chain_id,expected", [("1", 1), ("0x01", 1), ("0x1", 1), ("137", 137)])
def test_non_canonical_chain_id_is_normalized_and_flagged(chain_id, expected):
    document = eip2612_permit(SIGNER, 1, 2)
    canonical = parse_typed_data(document)
    document["domain"]["chainId"] = chain_id
    typed, _, digest, notes = parse_typed_data(document)
    assert typed.domain["chainId"] == expected
    assert [n.code for n in notes] == ["TYPED_DATA_DOMAIN_NONCANONICAL"]
    if expected == 1:
        assert digest == canonical[2]


def test_integer_verifying_contract_is_normalized_and_flagged():
    document = eip2612_permit(SIGNER, 1, 2)
    canonical = parse_typed_data(document)
    document["domain"]["verifyingContract"] = int(USDC, 16)
    typed, _, digest, notes = parse_typed_data(document)
    assert typed.domain["verifyingContract"] == USDC and digest == canonical[2]
    assert [n.code for n in notes] == ["TYPED_DATA_DOMAIN_NONCANONICAL"]


def _mutated(change) -> dict:
    document = eip2612_permit(SIGNER, 1, 2)
    change(document)
    return document


@pytest.mark.parametrize(
    "document,code",
    [
        (_mutated(lambda d: d["message"].pop("nonce")), "TYPED_DATA_VALUE_INVALID"),
        (_mutated(lambda d: d["message"].update(extra="shown but not signed")), "TYPED_DATA_VALUE_INVALID"),
        (_mutated(lambda d: d["message"].update(value="-1")), "TYPED_DATA_VALUE_INVALID"),
        (_mutated(lambda d: d["message"].update(value=str(2**256))), "TYPED_DATA_VALUE_INVALID"),
        (_mutated(lambda d: d["message"].update(owner="0x1234")), "TYPED_DATA_VALUE_INVALID"),
        (_mutated(lambda d: d["types"]["Permit"].append({"name": "x", "type": "Undefined"})), "TYPED_DATA_INVALID"),
        (_mutated(lambda d: d.update(primaryType="Missing")), "TYPED_DATA_INVALID"),
        (_mutated(lambda d: d["types"].pop("EIP712Domain")), "TYPED_DATA_INVALID"),
        (_mutated(lambda d: d["domain"].update(salt="0x" + "00" * 32)), "TYPED_DATA_INVALID"),
        (_mutated(lambda d: d["types"]["Permit"].append({"name": "owner", "type": "address"})), "TYPED_DATA_INVALID"),
        ("{not json", "TYPED_DATA_INVALID"),
        ([], "TYPED_DATA_INVALID"),
    ],
)
def test_invalid_typed_data_is_a_typed_error(document, code):
    with pytest.raises(EdgeError) as caught:
        parse_typed_data(document)
    assert caught.value.code == code


def test_unused_types_are_flagged():
    document = eip2612_permit(SIGNER, 1, 2)
    document["types"]["Decoy"] = [{"name": "a", "type": "uint256"}]
    assert [n.code for n in parse_typed_data(document)[3]] == ["TYPED_DATA_UNUSED_TYPES"]


def test_v3_rejects_arrays():
    with pytest.raises(EdgeError):
        parse_typed_data(seaport_order(SIGNER, 1), v3=True)
    assert parse_typed_data(eip2612_permit(SIGNER, 1, 2), v3=True)


def test_recursive_types_are_bounded():
    types = {"EIP712Domain": [{"name": "name", "type": "string"}], "Node": [{"name": "next", "type": "Node[]"}]}
    node: dict = {"next": []}
    for _ in range(40):
        node = {"next": [node]}
    with pytest.raises(EdgeError):
        parse_typed_data({"types": types, "primaryType": "Node", "domain": {"name": "x"}, "message": node})


def test_seaport_domain_is_kept():
    typed = parse_typed_data(seaport_order(SIGNER, 1))[0]
    assert typed.domain["verifyingContract"] == SEAPORT
