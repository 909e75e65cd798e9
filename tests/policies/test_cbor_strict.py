"""The deterministic-CBOR validator: accepts what a canonical encoder makes, refuses the rest."""

from __future__ import annotations

import cbor2
import pytest
from dmind.policies.cbor_strict import CborError, check_deterministic
from hypothesis import given, settings
from hypothesis import strategies as st

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64) + 1, 2**64 - 1)
    | st.text(max_size=30)
    | st.binary(max_size=30)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_canonical_encodings_pass(value):
    check_deterministic(cbor2.dumps(value, canonical=True))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_raise_only_cbor_errors(data):
    try:
        check_deterministic(data)
    except CborError as exc:
        assert exc.code.startswith("CBOR_")


@pytest.mark.parametrize(
    "hex_data,code",
    [
        ("1817", "CBOR_NONCANONICAL"),  # 23 encoded in two bytes
        ("190017", "CBOR_NONCANONICAL"),  # 23 encoded in three bytes
        ("5f4101ff", "CBOR_NONCANONICAL"),  # indefinite-length byte string
        ("a2616201616101", "CBOR_NONCANONICAL"),  # keys out of order
        ("a2616101616102", "CBOR_DUPLICATE_KEY"),  # the same key twice
        ("fb3ff0000000000000", "CBOR_NONCANONICAL"),  # 1.0 as a double
        ("f97e00", "CBOR_MALFORMED"),  # NaN
        ("c11a5f5e1000", "CBOR_TAG_UNEXPECTED"),  # a tag where none is allowed
        ("62c328", "CBOR_MALFORMED"),  # invalid UTF-8
        ("8301", "CBOR_TRUNCATED"),  # array shorter than announced
        ("0101", "CBOR_TRAILING"),  # two items
        ("f7", "CBOR_MALFORMED"),  # undefined
    ],
)
def test_each_fault_has_its_code(hex_data, code):
    with pytest.raises(CborError) as caught:
        check_deterministic(bytes.fromhex(hex_data))
    assert caught.value.code == code


def test_nesting_is_bounded():
    with pytest.raises(CborError) as caught:
        check_deterministic(b"\x81" * 40 + b"\x00")
    assert caught.value.code == "CBOR_TOO_DEEP"
