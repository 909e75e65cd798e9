"""Test-side builders for real requests: calldata by eth-abi, transactions signed by eth-account.

Nothing here is used by the gate; these are independent encoders so tests check the gate
against other implementations, not against itself.
"""

from __future__ import annotations

import json
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

# Hardhat's first public test key: never holds funds.
TEST_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ACCOUNT = Account.from_key(TEST_KEY)
SIGNER = ACCOUNT.address
OTHER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
PERMIT2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3"
UNIVERSAL_ROUTER = "0x66a9893cC07D91D95644AEDD05D03f95e1dBA8Af"
SEAPORT = "0x0000000000000068F116a894984e2DB1123eB395"
ATTACKER = "0x000000000000000000000000000000000000dEaD"
NFT = "0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D"
MAX_UINT256 = 2**256 - 1
MAX_UINT160 = 2**160 - 1


def calldata(signature: str, types: list[str], values: list[Any]) -> bytes:
    """`selector(signature) || abi.encode(types, values)` with eth-abi."""
    return function_signature_to_4byte_selector(signature) + encode(types, values)


def signed_tx(fields: dict, key: str = TEST_KEY) -> str:
    """A raw signed transaction (0x-hex) made by eth-account."""
    return "0x" + Account.sign_transaction(fields, key).raw_transaction.hex().removeprefix("0x")


def eip1559(
    to: str | None, data: bytes = b"", value: int = 0, chain_id: int = 1, nonce: int = 7, gas: int = 200_000
) -> dict:
    return {
        "type": 2,
        "chainId": chain_id,
        "nonce": nonce,
        "maxPriorityFeePerGas": 10**9,
        "maxFeePerGas": 30 * 10**9,
        "gas": gas,
        "to": to,
        "value": value,
        "data": data,
    }


def request(
    method: str,
    params: list,
    chain_id: int | None = 1,
    sender: str | None = SIGNER,
    origin: str | None = "https://app.uniswap.org",
    request_id: Any = None,
    **extra: Any,
) -> dict:
    return {
        "id": request_id,
        "request": {"method": method, "params": params},
        "chainId": chain_id,
        "from": sender,
        "origin": origin,
        "stated_intent": None,
        **extra,
    }


def raw_tx_request(fields: dict, **kwargs: Any) -> dict:
    return request("eth_sendRawTransaction", [signed_tx(fields)], **kwargs)


def typed_request(typed: dict, signer: str = SIGNER, **kwargs: Any) -> dict:
    return request("eth_signTypedData_v4", [signer, json.dumps(typed)], **kwargs)


EIP712_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def eip2612_permit(spender: str, value: int, deadline: int, owner: str = SIGNER, token: str = USDC) -> dict:
    return {
        "types": {
            "EIP712Domain": EIP712_DOMAIN,
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {"name": "USD Coin", "version": "2", "chainId": 1, "verifyingContract": token},
        "message": {"owner": owner, "spender": spender, "value": str(value), "nonce": "0", "deadline": str(deadline)},
    }


def permit2_single(spender: str, amount: int, expiration: int, deadline: int, token: str = USDC) -> dict:
    return {
        "types": {
            "EIP712Domain": [f for f in EIP712_DOMAIN if f["name"] != "version"],
            "PermitDetails": [
                {"name": "token", "type": "address"},
                {"name": "amount", "type": "uint160"},
                {"name": "expiration", "type": "uint48"},
                {"name": "nonce", "type": "uint48"},
            ],
            "PermitSingle": [
                {"name": "details", "type": "PermitDetails"},
                {"name": "spender", "type": "address"},
                {"name": "sigDeadline", "type": "uint256"},
            ],
        },
        "primaryType": "PermitSingle",
        "domain": {"name": "Permit2", "chainId": 1, "verifyingContract": PERMIT2},
        "message": {
            "details": {"token": token, "amount": str(amount), "expiration": str(expiration), "nonce": "0"},
            "spender": spender,
            "sigDeadline": str(deadline),
        },
    }


SEAPORT_TYPES = {
    "EIP712Domain": EIP712_DOMAIN,
    "OrderComponents": [
        {"name": n, "type": t}
        for t, n in (
            ("address", "offerer"),
            ("address", "zone"),
            ("OfferItem[]", "offer"),
            ("ConsiderationItem[]", "consideration"),
            ("uint8", "orderType"),
            ("uint256", "startTime"),
            ("uint256", "endTime"),
            ("bytes32", "zoneHash"),
            ("uint256", "salt"),
            ("bytes32", "conduitKey"),
            ("uint256", "counter"),
        )
    ],
    "OfferItem": [
        {"name": n, "type": t}
        for t, n in (
            ("uint8", "itemType"),
            ("address", "token"),
            ("uint256", "identifierOrCriteria"),
            ("uint256", "startAmount"),
            ("uint256", "endAmount"),
        )
    ],
    "ConsiderationItem": [
        {"name": n, "type": t}
        for t, n in (
            ("uint8", "itemType"),
            ("address", "token"),
            ("uint256", "identifierOrCriteria"),
            ("uint256", "startAmount"),
            ("uint256", "endAmount"),
            ("address", "recipient"),
        )
    ],
}


def seaport_order(offerer: str, price_to_offerer: int, buyer_payee: str = ATTACKER) -> dict:
    consideration = (
        [
            {
                "itemType": 0,
                "token": "0x" + "00" * 20,
                "identifierOrCriteria": "0",
                "startAmount": str(price_to_offerer),
                "endAmount": str(price_to_offerer),
                "recipient": offerer,
            }
        ]
        if price_to_offerer
        else []
    )
    consideration.append(
        {
            "itemType": 0,
            "token": "0x" + "00" * 20,
            "identifierOrCriteria": "0",
            "startAmount": "1",
            "endAmount": "1",
            "recipient": buyer_payee,
        }
    )
    return {
        "types": SEAPORT_TYPES,
        "primaryType": "OrderComponents",
        "domain": {"name": "Seaport", "version": "1.6", "chainId": 1, "verifyingContract": SEAPORT},
        "message": {
            "offerer": offerer,
            "zone": "0x" + "00" * 20,
            "offer": [
                {"itemType": 2, "token": NFT, "identifierOrCriteria": "1234", "startAmount": "1", "endAmount": "1"}
            ],
            "consideration": consideration,
            "orderType": 0,
            "startTime": "1700000000",
            "endTime": "1900000000",
            "zoneHash": "0x" + "00" * 32,
            "salt": "1",
            "conduitKey": "0x" + "00" * 32,
            "counter": "0",
        },
    }


def ur_execute(commands: list[tuple[int, list[str], list[Any]]], deadline: int = 2_000_000_000) -> bytes:
    """Universal Router `execute(bytes,bytes[],uint256)` from (command byte, input types, input values)."""
    command_bytes = bytes(c for c, _, _ in commands)
    inputs = [encode(types, values) for _, types, values in commands]
    return calldata(
        "execute(bytes,bytes[],uint256)", ["bytes", "bytes[]", "uint256"], [command_bytes, inputs, deadline]
    )


def v3_path(*hops: Any) -> bytes:
    """Packed V3 path: token, fee (3 bytes), token, ..."""
    out = b""
    for hop in hops:
        out += bytes.fromhex(hop[2:]) if isinstance(hop, str) else hop.to_bytes(3, "big")
    return out


def authorization(delegate: str, chain_id: int = 1, nonce: int = 8, key: str = TEST_KEY) -> dict:
    signed = Account.sign_authorization({"chainId": chain_id, "address": delegate, "nonce": nonce}, key)
    return {
        "chainId": signed.chain_id,
        "address": to_checksum_address(signed.address),
        "nonce": signed.nonce,
        "yParity": signed.y_parity,
        "r": signed.r,
        "s": signed.s,
    }
