"""The bundled example requests (`edge/examples/requests.jsonl`), built from real encoders.

Regenerate with `python -m tests.edge.examples_source > edge/examples/requests.jsonl`;
`test_examples.py` fails when the committed file differs from what this makes.
"""

from __future__ import annotations

import json

import solders.system_program as sp
from dmind.edge.examples import EXAMPLES_NOW as NOW
from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.pubkey import Pubkey

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
from tests.solana_builders import (
    FRIEND,
    MAINNET,
    SOLANA_CASES,
    USER,
    legacy,
    sign_message_request,
    sol_request,
    v0,
)

SAFE = "0x5aFE3855358E112B5647B952709E6165e1c1eEEe"
MULTISEND = "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D"


def _swap_plan(recipient: str) -> bytes:
    permit = (((USDC, 1_000 * 10**6, NOW + 3600, 0), UNIVERSAL_ROUTER, NOW + 1800), b"\x11" * 65)
    return ur_execute(
        [
            (0x0A, ["((address,uint160,uint48,uint48),address,uint256)", "bytes"], list(permit)),
            (
                0x00,
                ["address", "uint256", "uint256", "bytes", "bool"],
                [recipient, 1_000 * 10**6, 3 * 10**17, v3_path(USDC, 500, WETH), True],
            ),
        ],
        deadline=NOW + 1800,
    )


def _multisend(entries: list[tuple[int, str, int, bytes]]) -> bytes:
    packed = b"".join(
        bytes([op]) + bytes.fromhex(to[2:]) + value.to_bytes(32, "big") + len(data).to_bytes(32, "big") + data
        for op, to, value, data in entries
    )
    return calldata("multiSend(bytes)", ["bytes"], [packed])


def examples() -> list[dict]:
    transfer = calldata(
        "transfer(address,uint256)", ["address", "uint256"], ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 250 * 10**6]
    )
    siwe = (
        "app.uniswap.org wants you to sign in with your Ethereum account:\n"
        + SIGNER
        + "\n\nSign in to Uniswap.\n\nURI: https://app.uniswap.org\nVersion: 1\nChain ID: 1\nNonce: 32891756\nIssued At: 2026-11-23T10:00:00Z"
    )
    rows = [
        (
            "send 0.5 ETH",
            raw_tx_request(eip1559("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value=5 * 10**17, gas=21_000)),
        ),
        (
            "send 250 USDC",
            request(
                "eth_sendTransaction", [{"from": SIGNER, "to": USDC, "data": "0x" + transfer.hex(), "value": "0x0"}]
            ),
        ),
        (
            "swap USDC→ETH via Universal Router",
            raw_tx_request(eip1559(UNIVERSAL_ROUTER, _swap_plan("0x0000000000000000000000000000000000000001"))),
        ),
        ("swap with output to a stranger", raw_tx_request(eip1559(UNIVERSAL_ROUTER, _swap_plan(ATTACKER)))),
        (
            "approve Permit2 for unlimited USDC",
            raw_tx_request(
                eip1559(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [PERMIT2, MAX_UINT256]))
            ),
        ),
        (
            "unlimited approval to unknown spender",
            raw_tx_request(
                eip1559(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [ATTACKER, MAX_UINT256]))
            ),
        ),
        (
            "setApprovalForAll to unknown operator",
            raw_tx_request(
                eip1559(NFT, calldata("setApprovalForAll(address,bool)", ["address", "bool"], [ATTACKER, True]))
            ),
        ),
        (
            "Permit2 signature for the router",
            typed_request(permit2_single(UNIVERSAL_ROUTER, 1_000 * 10**6, NOW + 3600, NOW + 1800)),
        ),
        ("unlimited EIP-2612 permit, no deadline", typed_request(eip2612_permit(ATTACKER, MAX_UINT256, MAX_UINT256))),
        ("Permit2 unlimited, far expiry", typed_request(permit2_single(ATTACKER, MAX_UINT160, 2**48 - 1, NOW + 10**8))),
        ("Seaport listing paid to someone else", typed_request(seaport_order(SIGNER, 0))),
        (
            "EIP-7702 delegation to unknown code",
            raw_tx_request({**eip1559(SIGNER, gas=100_000), "type": 4, "authorizationList": [authorization(ATTACKER)]}),
        ),
        ("eth_sign of a raw hash", request("eth_sign", [SIGNER, "0x" + "ab" * 32])),
        ("Sign-In with Ethereum", request("personal_sign", ["0x" + siwe.encode().hex(), SIGNER])),
        (
            "Sign-In for another site",
            request(
                "personal_sign", ["0x" + siwe.encode().hex(), SIGNER], origin="https://app-uniswap.org.evil.example"
            ),
        ),
        (
            "batch: approve + swap (EIP-5792)",
            request(
                "wallet_sendCalls",
                [
                    {
                        "version": "2.0.0",
                        "chainId": "0x1",
                        "from": SIGNER,
                        "atomicRequired": True,
                        "calls": [
                            {
                                "to": USDC,
                                "data": "0x"
                                + calldata(
                                    "approve(address,uint256)", ["address", "uint256"], [PERMIT2, 1_000 * 10**6]
                                ).hex(),
                            },
                            {
                                "to": UNIVERSAL_ROUTER,
                                "data": "0x" + _swap_plan("0x0000000000000000000000000000000000000001").hex(),
                            },
                        ],
                    }
                ],
            ),
        ),
        (
            "Safe multiSend with DELEGATECALL",
            raw_tx_request(
                eip1559(
                    SAFE,
                    calldata(
                        "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)",
                        [
                            "address",
                            "uint256",
                            "bytes",
                            "uint8",
                            "uint256",
                            "uint256",
                            "uint256",
                            "address",
                            "address",
                            "bytes",
                        ],
                        [
                            MULTISEND,
                            0,
                            _multisend([(0, USDC, 0, transfer), (1, ATTACKER, 0, bytes.fromhex("deadbeef"))]),
                            1,
                            0,
                            0,
                            0,
                            "0x" + "00" * 20,
                            "0x" + "00" * 20,
                            b"\x00" * 65,
                        ],
                    ),
                    gas=300_000,
                )
            ),
        ),
        (
            "transaction for another chain",
            raw_tx_request(
                eip1559("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value=10**17, chain_id=56, gas=21_000)
            ),
        ),
        ("truncated raw transaction", request("eth_sendRawTransaction", ["0x02f86f0107843b9aca00"])),
        *_solana(),
    ]
    return [{**row, "id": i + 1, "label": label} for i, (label, row) in enumerate(rows)]


def _solana() -> list[tuple[str, dict]]:
    """Solana requests, built by solders and spl-token: a payment, a sign-in, and drainer patterns."""
    pay = sp.transfer(sp.TransferParams(from_pubkey=USER.pubkey(), to_pubkey=FRIEND, lamports=10**9))
    table = AddressLookupTableAccount(Pubkey(bytes(range(5, 37))), [FRIEND])  # the wallet read it on chain
    siws = (
        f"app.example wants you to sign in with your Solana account:\n{USER.pubkey()}\n\n"
        "URI: https://app.example\nVersion: 1\nNonce: 8b1d2e\nIssued At: 2026-11-18T00:00:00Z"
    )
    return [
        ("send 1 SOL", sol_request(legacy(pay), origin="https://app.example")),
        (
            "send 1 SOL, recipient from a lookup table",
            {
                **sol_request(v0(pay, tables=[table]), origin="https://app.example"),
                "address_lookup_tables": {str(table.key): [str(FRIEND)]},
            },
        ),
        ("Sign-In with Solana", sign_message_request(siws.encode(), origin="https://app.example")),
        ("Solana durable-nonce transfer", SOLANA_CASES["SOLANA_DURABLE_NONCE"][0]),
        ("Solana token account handed to a stranger", SOLANA_CASES["SOLANA_AUTHORITY_CHANGE"][0]),
        ("Solana message that is a transaction", sign_message_request(bytes(legacy(pay).message))),
        (
            "Sign-In with Solana for another site (structured)",
            {
                "request": {
                    "method": "solana_signIn",
                    "params": {"domain": "app.example.co", "uri": "https://app.example.co", "nonce": "8b1d2e"},
                },
                "chainId": MAINNET,
                "from": str(USER.pubkey()),
                "origin": "https://app.example",
            },
        ),
    ]


def render() -> str:
    return "".join(json.dumps(row, sort_keys=True) + "\n" for row in examples())


if __name__ == "__main__":
    print(render(), end="")
