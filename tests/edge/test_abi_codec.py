"""The pure-Python ABI decoder against eth-abi's encoder, and its strictness."""

from __future__ import annotations

import pytest
from dmind.edge.abi.codec import AbiDecodeError, decode, encode_call
from dmind.edge.abi.codec import encode as encode_params
from dmind.edge.abi.types import AbiTypeError, parse_signature, parse_type
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st


@st.composite
def abi_type(draw, depth: int = 0) -> str:
    leaves = st.sampled_from(
        ["uint256", "uint8", "uint160", "int256", "int24", "address", "bool", "bytes32", "bytes4", "bytes", "string"]
    )
    kind = draw(st.sampled_from(["leaf", "leaf", "array", "fixed", "tuple"] if depth < 2 else ["leaf"]))
    if kind == "leaf":
        return draw(leaves)
    if kind == "array":
        return draw(abi_type(depth + 1)) + "[]"
    if kind == "fixed":
        return draw(abi_type(depth + 1)) + f"[{draw(st.integers(1, 3))}]"
    return "(" + ",".join(draw(st.lists(abi_type(depth + 1), min_size=1, max_size=3))) + ")"


def value_for(type_str: str):
    t = parse_type(type_str)
    return _strategy(t)


def _strategy(t):
    from dmind.edge.abi.types import Array, Basic

    if isinstance(t, Basic):
        if t.name == "uint":
            return st.integers(0, 2**t.size - 1)
        if t.name == "int":
            return st.integers(-(2 ** (t.size - 1)), 2 ** (t.size - 1) - 1)
        if t.name == "address":
            return st.binary(min_size=20, max_size=20).map(to_checksum_address)
        if t.name == "bool":
            return st.booleans()
        if t.name == "string":
            return st.text(max_size=40)
        if t.size is None:
            return st.binary(max_size=70)
        return st.binary(min_size=t.size, max_size=t.size)
    if isinstance(t, Array):
        if t.length is None:
            return st.lists(_strategy(t.item), max_size=3)
        return st.lists(_strategy(t.item), min_size=t.length, max_size=t.length)
    return st.tuples(*(_strategy(i) for i in t.items)).map(list)


def _normalize(value):
    if isinstance(value, (list, tuple)):
        return [_normalize(v) for v in value]
    return value


@settings(max_examples=150, deadline=None)
@given(
    st.lists(abi_type(), min_size=1, max_size=4).flatmap(
        lambda types: st.tuples(st.just(types), st.tuples(*(value_for(t) for t in types)))
    )
)
def test_decode_inverts_eth_abi_encode(case):
    types, values = case
    data = encode(types, list(values))
    params = parse_signature(f"f({','.join(types)})").params
    assert _normalize(decode(params, data)) == _normalize(list(values))


def test_selectors_match_eth_utils():
    for sig in [
        "transfer(address,uint256)",
        "execute(bytes,bytes[],uint256)",
        "permit(address,((address,uint160,uint48,uint48),address,uint256),bytes)",
    ]:
        assert parse_signature(sig).selector == function_signature_to_4byte_selector(sig)


def test_named_signature_is_canonicalized():
    sig = parse_signature(
        "exactInput((bytes path, address recipient, uint256 amountIn, uint256 amountOutMinimum) params)"
    )
    assert sig.canonical == "exactInput((bytes,address,uint256,uint256))"
    assert sig.params.names == ("params",)


@pytest.mark.parametrize("text", ["f(uint7)", "f(bytes33)", "f(uint256", "f(address[0])", "f(foo)", "f(uint256) x"])
def test_invalid_signatures_raise(text):
    with pytest.raises(AbiTypeError):
        parse_signature(text)


@pytest.mark.parametrize(
    "types,data",
    [
        (["address"], b"\x01" + b"\x00" * 31),  # dirty upper bytes of an address
        (["bool"], (2).to_bytes(32, "big")),  # bool neither 0 nor 1
        (["uint8"], (256).to_bytes(32, "big")),  # out of range
        (["bytes"], (32).to_bytes(32, "big") + (10**6).to_bytes(32, "big")),  # length past the end
        (["bytes"], (64).to_bytes(32, "big")),  # offset past the end
        (["uint256[]"], (32).to_bytes(32, "big") + (2**40).to_bytes(32, "big")),  # absurd array length
        (["bytes4"], b"\xde\xad\xbe\xef" + b"\x01" + b"\x00" * 27),  # dirty padding
        (["uint256"], b"\x00" * 31),  # short word
    ],
)
def test_strict_decoding_rejects_malformed_data(types, data):
    with pytest.raises(AbiDecodeError):
        decode(parse_signature(f"f({','.join(types)})").params, data)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(abi_type(), min_size=1, max_size=4).flatmap(
        lambda types: st.tuples(st.just(types), st.tuples(*(value_for(t) for t in types)))
    )
)
def test_encode_matches_eth_abi_byte_for_byte(case):
    types, values = case
    params = parse_signature(f"f({','.join(types)})").params
    assert encode_params(params, list(values)) == encode(types, list(values))


def test_encode_call_is_selector_then_arguments():
    spender = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    data = encode_call("approve(address spender, uint256 amount)", spender, 10**6)
    assert data[:4] == function_signature_to_4byte_selector("approve(address,uint256)")
    assert data[4:] == encode(["address", "uint256"], [spender, 10**6])


@pytest.mark.parametrize(
    ("signature", "values"),
    [
        ("f(uint8)", (256,)),
        ("f(uint256)", (-1,)),
        ("f(int8)", (128,)),
        ("f(uint256)", (True,)),
        ("f(bool)", (1,)),
        ("f(address)", ("0x1234",)),
        ("f(bytes4)", (b"abc",)),
        ("f(uint256[2])", ([1],)),
        ("f(uint256,uint256)", (1,)),
    ],
)
def test_encode_refuses_values_that_do_not_fit(signature, values):
    with pytest.raises(ValueError):
        encode_call(signature, *values)
