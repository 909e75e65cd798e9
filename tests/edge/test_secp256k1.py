"""The pure-Python secp256k1 module against eth-account, and its GLV constants against the curve."""

from __future__ import annotations

from dmind.edge.secp256k1 import BETA, GX, GY, LAMBDA, N, P, _split, public_key, recover_public_key, sign_recoverable
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders import TEST_KEY

hashes = st.binary(min_size=32, max_size=32)


def test_glv_endomorphism_constants():
    assert pow(BETA, 3, P) == 1 and pow(LAMBDA, 3, N) == 1
    assert public_key(LAMBDA) == (BETA * GX % P, GY)


@given(st.integers(1, N - 1))
def test_scalar_split_is_exact_and_short(k):
    k1, k2 = _split(k)
    assert (k1 + k2 * LAMBDA) % N == k and max(abs(k1), abs(k2)) < 2**129


@settings(max_examples=60, deadline=None)
@given(hashes)
def test_signatures_match_eth_account_and_recover(message_hash):
    y, r, s = sign_recoverable(message_hash, int(TEST_KEY, 16))
    reference = Account.unsafe_sign_hash(message_hash, TEST_KEY)
    assert (r, s, y + 27) == (reference.r, reference.s, reference.v)
    x, yy = public_key(int(TEST_KEY, 16))
    assert recover_public_key(message_hash, y, r, s) == x.to_bytes(32, "big") + yy.to_bytes(32, "big")


def test_impossible_signatures_recover_nothing():
    h = b"\x11" * 32
    assert recover_public_key(h, 0, 0, 1) is None
    assert recover_public_key(h, 2, 1, 1) is None
    assert recover_public_key(h, 0, 1, N) is None
