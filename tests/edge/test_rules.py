"""Every rule shown firing and not firing, through the whole pipeline."""

from __future__ import annotations

import json

import pytest
from dmind.edge import evaluate_json
from dmind.edge.rules import RULES
from dmind.policies import default_policy, policy_from_dict
from dmind.policies.model import policy_to_dict

from tests.builders import (
    ATTACKER,
    MAX_UINT160,
    MAX_UINT256,
    NFT,
    PERMIT2,
    SIGNER,
    UNIVERSAL_ROUTER,
    USDC,
    WETH,
    authorization,
    calldata,
    eip1559,
    eip2612_permit,
    permit2_single,
    raw_tx_request,
    request,
    seaport_order,
    typed_request,
    ur_execute,
    v3_path,
)
from tests.conftest import FIXED_NOW
from tests.solana_builders import SOLANA_CASES

FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
FRIEND_TWIN = "0x7099" + "5" * 32 + "79C8"  # same first and last four hex digits: an address-poisoning twin
DELEGATE = "0x63c0c19a282a1B52b07dD5a65b58948A07DAE32B"
SIWE = f"app.uniswap.org wants you to sign in with your Ethereum account:\n{SIGNER}\n\nURI: https://app.uniswap.org\nVersion: 1\nChain ID: 1\nNonce: 1\nIssued At: 2026-01-01T00:00:00Z"


def _tx(to, data=b"", value=0, **kw):
    return raw_tx_request(eip1559(to, data, value, gas=300_000), **kw)


def _approve(spender, amount):
    return _tx(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [spender, amount]))


MSG_SENDER, ADDRESS_THIS = "0x" + "00" * 19 + "01", "0x" + "00" * 19 + "02"
V3_IN = (0x00, ["address", "uint256", "uint256", "bytes", "bool"])


def _swap_data(recipient):
    return ur_execute([(*V3_IN, [recipient, 10**6, 1, v3_path(USDC, 500, WETH), True])])


def _plan(*commands, to=UNIVERSAL_ROUTER, value=0):
    return _tx(to, ur_execute(list(commands)), value=value)


def _no_chain(document):
    document["types"]["EIP712Domain"] = [f for f in document["types"]["EIP712Domain"] if f["name"] != "chainId"]
    del document["domain"]["chainId"]
    return document


def _swap(recipient):
    return _tx(UNIVERSAL_ROUTER, _swap_data(recipient))


def _delegate(address, chain_id=1):
    return raw_tx_request(
        {**eip1559(SIGNER, gas=100_000), "type": 4, "authorizationList": [authorization(address, chain_id=chain_id)]}
    )


def _paid_in(order, token):
    """The order with the offerer's payment in ERC-20 `token` (item type 1) instead of ETH."""
    order["message"]["consideration"][0].update(itemType=1, token=token)
    return order


def _personal(text, origin):
    return request("personal_sign", ["0x" + text.encode().hex(), SIGNER], origin=origin)


POLICY = policy_from_dict(
    {
        **policy_to_dict(default_policy()),
        "delegates_7702": {"1": [DELEGATE]},
        "denylist": [ATTACKER],
        "approval_limits": {"1": {USDC: "1000000000"}},
    }
)

# code -> (a request that fires it, a request that does not)
CASES: dict[str, tuple[dict, dict]] = {
    "APPROVAL_UNLIMITED": (_approve(PERMIT2, MAX_UINT256), _approve(PERMIT2, 10**6)),
    "PERMIT_NO_DEADLINE": (
        typed_request(eip2612_permit(PERMIT2, 10, MAX_UINT256)),
        typed_request(eip2612_permit(PERMIT2, 10, FIXED_NOW + 600)),
    ),
    "PERMIT_DEADLINE_FAR": (
        typed_request(permit2_single(UNIVERSAL_ROUTER, 10, FIXED_NOW + 86400 * 365, FIXED_NOW + 60)),
        typed_request(permit2_single(UNIVERSAL_ROUTER, 10, FIXED_NOW + 86400, FIXED_NOW + 60)),
    ),
    "APPROVAL_FOR_ALL": (
        _tx(NFT, calldata("setApprovalForAll(address,bool)", ["address", "bool"], [FRIEND, True])),
        _tx(NFT, calldata("setApprovalForAll(address,bool)", ["address", "bool"], [FRIEND, False])),
    ),
    "SPENDER_UNKNOWN": (_approve(FRIEND, 10), _approve(PERMIT2, 10)),
    "SWAP_RECIPIENT_NOT_SIGNER": (_swap(FRIEND), _swap("0x0000000000000000000000000000000000000001")),
    "TRANSFER_RECIPIENT_NOT_SIGNER": (_tx(FRIEND, value=1), _tx(SIGNER, value=1)),
    "SIGNER_UNKNOWN": (
        request(
            "eth_sendTransaction", [{"to": UNIVERSAL_ROUTER, "data": "0x" + _swap_data(FRIEND).hex()}], sender=None
        ),
        _swap(SIGNER),
    ),
    "NFT_ORDER_NOTHING_BACK": (typed_request(seaport_order(SIGNER, 0)), typed_request(seaport_order(SIGNER, 10**18))),
    "DELEGATE_UNKNOWN": (_delegate(FRIEND), _delegate(DELEGATE)),
    "DELEGATE_REVOKE": (_delegate("0x" + "00" * 20), _delegate(DELEGATE)),
    "DELEGATION_ANY_CHAIN": (_delegate(DELEGATE, chain_id=0), _delegate(DELEGATE)),
    "CHAIN_ID_MISMATCH": (
        raw_tx_request(eip1559(FRIEND, value=1, chain_id=10)),
        raw_tx_request(eip1559(FRIEND, value=1)),
    ),
    "CHAIN_CONTEXT_MISSING": (_tx(FRIEND, value=1, chain_id=None), _tx(FRIEND, value=1)),
    "BLIND_SIGNATURE": (request("eth_sign", [SIGNER, "0x" + "11" * 32]), _personal("hello", None)),
    "SIGNER_MISMATCH": (_tx(FRIEND, value=1, sender=FRIEND), _tx(FRIEND, value=1)),
    "SIWE_DOMAIN_MISMATCH": (_personal(SIWE, "https://evil.example"), _personal(SIWE, "https://app.uniswap.org")),
    "VALUE_TO_UNKNOWN_SELECTOR": (_tx(FRIEND, b"\xde\xad\xbe\xef", value=1), _tx(FRIEND, b"\xde\xad\xbe\xef")),
    "OWNERSHIP_TRANSFER": (
        _tx(USDC, calldata("transferOwnership(address)", ["address"], [FRIEND])),
        _approve(PERMIT2, 1),
    ),
    "PROXY_UPGRADE": (_tx(USDC, calldata("upgradeTo(address)", ["address"], [FRIEND])), _approve(PERMIT2, 1)),
    "CONTRACT_CREATION": (_tx(None, b"\x60\x00"), _tx(FRIEND, value=1)),
    "ADDRESS_DENYLISTED": (_approve(ATTACKER, 1), _approve(FRIEND, 1)),
    "ROUTER_TRANSFER_TO_THIRD_PARTY": (
        _plan((0x02, ["address", "address", "uint160"], [USDC, FRIEND, 10**12])),
        _plan(
            (0x02, ["address", "address", "uint160"], [USDC, ADDRESS_THIS, 10**6]),
            (*V3_IN, [MSG_SENDER, 10**6, 1, v3_path(USDC, 500, WETH), False]),
        ),
    ),
    "ROUTER_OUTPUT_STRANDED": (
        _plan((*V3_IN, [ADDRESS_THIS, 10**6, 1, v3_path(USDC, 500, WETH), True])),
        _plan(
            (*V3_IN, [ADDRESS_THIS, 10**6, 1, v3_path(USDC, 500, WETH), True]),
            (0x0C, ["address", "uint256"], [MSG_SENDER, 1]),
        ),
    ),
    "TYPED_DATA_NO_CHAIN_ID": (
        typed_request(_no_chain(eip2612_permit(PERMIT2, 10, FIXED_NOW + 60))),
        typed_request(eip2612_permit(PERMIT2, 10, FIXED_NOW + 60)),
    ),
    "CONTRACT_UNVERIFIED": (
        _plan((0x0B, ["address", "uint256"], [MSG_SENDER, 10]), to=FRIEND, value=10),
        _plan((0x0B, ["address", "uint256"], [MSG_SENDER, 10]), value=10),
    ),
    "NFT_ORDER_PAYS_OTHERS": (typed_request(seaport_order(SIGNER, 1)), typed_request(seaport_order(SIGNER, 10**18))),
    "NFT_ORDER_PRICE_DUST": (
        typed_request(seaport_order(SIGNER, 10**13)),
        typed_request(seaport_order(SIGNER, 10**18)),
    ),
    "NFT_ORDER_VALUE_UNKNOWN": (
        typed_request(_paid_in(seaport_order(SIGNER, 10**18), "0x" + "77" * 20)),
        typed_request(seaport_order(SIGNER, 10**18)),
    ),
    "SIWE_ORIGIN_UNKNOWN": (_personal(SIWE, None), _personal(SIWE, "https://app.uniswap.org")),
    "ADDRESS_LOOKALIKE": (
        _tx(FRIEND_TWIN, value=1, known_addresses=[FRIEND]),
        _tx(FRIEND, value=1, known_addresses=[FRIEND]),
    ),
    "RECIPIENT_NEW": (_tx(FRIEND, value=1, known_addresses=[]), _tx(FRIEND, value=1, known_addresses=[FRIEND])),
    "INTENT_MISMATCH": (
        {
            **_swap(MSG_SENDER),
            "stated_intent": {"name": "EXECUTE_SWAP", "arguments": {"inputTokenSymbol": "USDC", "outputTokenCA": NFT}},
        },
        {
            **_swap(MSG_SENDER),
            "stated_intent": {"name": "EXECUTE_SWAP", "arguments": {"inputTokenSymbol": "USDC", "outputTokenCA": WETH}},
        },
    ),
}


CASES.update(SOLANA_CASES)  # Solana's own codes; the codes it shares with EVM are shown in test_solana_gate


def _codes(obj: dict) -> set[str]:
    return {f.code for f in evaluate_json(obj, policy=POLICY, now=FIXED_NOW).findings}


def test_every_rule_code_has_a_case():
    emitted = {code for rule in RULES for code in rule.codes}
    assert emitted <= set(CASES), emitted - set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires(code):
    assert code in _codes(CASES[code][0])


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_stays_quiet(code):
    assert code not in _codes(CASES[code][1])


def test_policy_limit_counts_as_unlimited():
    assert "APPROVAL_UNLIMITED" in _codes(_approve(PERMIT2, 10**9 + 1))
    assert "APPROVAL_UNLIMITED" not in _codes(_approve(PERMIT2, 10**9))


def test_unlimited_starts_at_uint96_max():
    def permit(amount):  # WETH: no policy limit applies, only the floor
        return typed_request(permit2_single(UNIVERSAL_ROUTER, amount, FIXED_NOW + 60, FIXED_NOW + 60, token=WETH))

    for amount in (MAX_UINT160, MAX_UINT160 - 1, 2**128, 2**128 - 1, 2**96 - 1):
        assert "APPROVAL_UNLIMITED" in _codes(permit(amount))
    assert "APPROVAL_UNLIMITED" not in _codes(permit(2**96 - 2))


# Attacks found in review: each once reached ALLOW.
REVIEW_REGRESSIONS = {
    "100% of swap output paid as a 'portion'": _plan(
        (*V3_IN, [ADDRESS_THIS, 10**9, 1, v3_path(USDC, 500, WETH), True]),
        (0x06, ["address", "address", "uint256"], [WETH, FRIEND, 10_000]),
    ),
    "wrapped ETH sent to a stranger": _plan((0x0B, ["address", "uint256"], [FRIEND, 10**19]), value=10**19),
    "opaque V4 swap": _plan((0x10, ["bytes", "bytes[]"], [b"\x0e", [b"\x01" * 96]])),
    "router look-alike keeps the ETH": _plan(
        (0x0B, ["address", "uint256"], [MSG_SENDER, 10**19]), to=FRIEND, value=10**19
    ),
    "WETH look-alike deposit": _tx(FRIEND, bytes.fromhex("d0e30db0"), value=10**19),
    "sign-in as bare hex for another site": _personal(SIWE, None)
    | {
        "request": {"method": "personal_sign", "params": [SIWE.encode().hex(), SIGNER]},
        "origin": "https://evil.example",
    },
    "Seaport order paying the offerer 1 wei": typed_request(seaport_order(SIGNER, 1)),
    "approval just under 2^255": _approve(FRIEND, 2**254),
    "EIP-712 value beyond 2^53 as a JSON number": request(
        "eth_signTypedData_v4",
        [SIGNER, json.dumps(eip2612_permit(PERMIT2, 1, 2)).replace('"value": "1"', '"value": 9007199254740993')],
    ),
    "gasPrice on a type-2 object": request(
        "eth_sendTransaction",
        [{"from": SIGNER, "to": FRIEND, "value": "0x1", "type": "0x2", "gasPrice": "0x1", "maxFeePerGas": "0x2"}],
    ),
}


@pytest.mark.parametrize("label", sorted(REVIEW_REGRESSIONS))
def test_review_regressions_are_not_allowed(label):
    assert evaluate_json(REVIEW_REGRESSIONS[label], policy=POLICY, now=FIXED_NOW).verdict != "ALLOW"
