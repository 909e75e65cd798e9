"""Chains as CAIP-2 ids in the policy: how keys and addresses are read, compared and written back."""

from __future__ import annotations

import pytest
from dmind.policies import PolicyError, policy_from_dict, policy_to_dict
from dmind.policies.base58 import b58encode
from dmind.policies.chains import address_in, chain_key, parse_chain
from hypothesis import given
from hypothesis import strategies as st

MAINNET = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"
DEVNET = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
JUPITER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4"  # Jupiter v6's program id
BONK = "DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263"
EVM = "0x000000000022D473030F116dDEE9F6B43aC78BA3"


@pytest.mark.parametrize(
    "key,chain",
    [
        (1, "eip155:1"),
        ("1", "eip155:1"),
        ("eip155:8453", "eip155:8453"),
        (MAINNET, MAINNET),
        (DEVNET, DEVNET),
        ("eip155:01", None),  # one spelling per chain
        ("01", None),
        ("solana:mainnet", None),  # a cluster by name is not a CAIP-2 id
        ("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdP", None),  # case matters in a genesis hash
        ("cosmos:cosmoshub-4", None),  # no rules read that namespace
        (True, None),
        (-1, None),
        (2**64, None),
        ("²", None),
    ],
)
def test_chain_keys(key, chain):
    assert parse_chain(key) == chain


@given(st.integers(0, 2**64 - 1))
def test_evm_chains_are_written_as_their_decimal_id(chain_id):
    chain = parse_chain(chain_id)
    assert (
        chain == f"eip155:{chain_id}" and chain_key(chain) == str(chain_id) and parse_chain(chain_key(chain)) == chain
    )


@given(st.binary(min_size=32, max_size=32))
def test_solana_addresses_keep_their_spelling(raw):
    address = b58encode(raw)
    assert address_in("solana", address) == address
    assert address_in("eip155", address) is None


@pytest.mark.parametrize(
    "raw,where",
    [
        ({"known_spenders": {MAINNET: [EVM]}}, f"known_spenders.{MAINNET}[0]"),  # an EVM address on Solana
        ({"known_spenders": {"1": [JUPITER]}}, "known_spenders.1[0]"),  # a Solana address on Ethereum
        ({"known_spenders": {MAINNET: [JUPITER[:-1]]}}, f"known_spenders.{MAINNET}[0]"),  # 31 bytes
        ({"known_spenders": {MAINNET: [JUPITER + "1"]}}, f"known_spenders.{MAINNET}[0]"),  # 33 bytes
        ({"known_spenders": {"1": [], "eip155:1": []}}, "known_spenders.eip155:1"),  # one chain, two keys
        ({"denylist": ["0OIl" * 11]}, "denylist[0]"),  # not base58
        ({"known_tokens": {MAINNET: {BONK: {"symbol": "BONK"}}}}, f"known_tokens.{MAINNET}.{BONK}.decimals"),
        ({"known_tokens": {MAINNET: {BONK: {"symbol": "", "decimals": 5}}}}, f"known_tokens.{MAINNET}.{BONK}.symbol"),
        (
            {"known_tokens": {MAINNET: {BONK: {"symbol": "BONK", "decimals": 99}}}},
            f"known_tokens.{MAINNET}.{BONK}.decimals",
        ),
        (
            {"known_tokens": {MAINNET: {BONK: {"symbol": "BONK", "decimals": 5, "logo": "x"}}}},
            f"known_tokens.{MAINNET}.{BONK}.logo",
        ),
        ({"approval_limits": {DEVNET: {"not-a-key": "1"}}}, f"approval_limits.{DEVNET}.not-a-key"),
    ],
)
def test_invalid_chain_facts_name_their_field(raw, where):
    with pytest.raises(PolicyError) as caught:
        policy_from_dict(raw)
    assert caught.value.field == where


def test_solana_facts_are_asked_for_by_cluster_and_exact_key():
    policy = policy_from_dict(
        {
            "known_spenders": {MAINNET: [JUPITER], "1": [EVM]},
            "approval_limits": {MAINNET: {BONK: "100000"}},
            "known_tokens": {MAINNET: {BONK: {"symbol": "Bonk", "decimals": 5}}},
            "denylist": [JUPITER, EVM],
        }
    )
    assert policy.known_spender(MAINNET, JUPITER)
    assert not policy.known_spender(DEVNET, JUPITER)  # another cluster, another program deployment
    assert not policy.known_spender(MAINNET, JUPITER.lower())  # base58 case is part of the key
    assert not policy.known_spender(None, JUPITER)
    assert policy.known_spender("eip155:1", EVM.lower()) and not policy.known_spender("eip155:10", EVM)
    assert policy.approval_limit(MAINNET, BONK) == 100000 and policy.approval_limit(DEVNET, BONK) is None
    assert policy.token(MAINNET, BONK).decimals == 5 and policy.token(DEVNET, BONK) is None
    assert [t.address for t in policy.tokens_by_symbol(MAINNET, "bonk")] == [BONK]
    assert policy.denied(JUPITER) and policy.denied(EVM.lower()) and not policy.denied(JUPITER.lower())
    assert policy.chains() == {"eip155:1", MAINNET}


def test_canonical_form_writes_evm_chains_as_decimals_and_others_as_caip2():
    policy = policy_from_dict({"known_spenders": {MAINNET: [JUPITER], "eip155:10": [EVM], "1": [EVM]}})
    written = policy_to_dict(policy)
    assert list(written["known_spenders"]) == ["1", "10", MAINNET]
    assert written["known_spenders"][MAINNET] == [JUPITER]
    assert policy_from_dict(written) == policy


def test_two_symbols_alike_are_both_found():
    other = b58encode(bytes(range(32)))
    policy = policy_from_dict(
        {"known_tokens": {MAINNET: {BONK: {"symbol": "BONK", "decimals": 5}, other: {"symbol": "bonk", "decimals": 6}}}}
    )
    assert len(policy.tokens_by_symbol(MAINNET, "BONK")) == 2  # ambiguous: the gate reads it as no token
