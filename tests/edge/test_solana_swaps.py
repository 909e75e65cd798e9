"""Solana swap instructions from mainnet, as public decoders' tests captured them (`data/solana_swap_vectors.json`
names each source), read by the gate's tables: amounts and accounts by meaning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dmind.edge.solana.decode import decode_message
from dmind.edge.solana.swap_programs import JUPITER_V6, ORCA_WHIRLPOOL, RAYDIUM_AMM_V4, RAYDIUM_CLMM
from dmind.edge.solana.wire import parse_message
from solders.instruction import AccountMeta, Instruction
from solders.message import Message
from solders.pubkey import Pubkey

from tests.solana_builders import BLOCKHASH, USER

VECTORS = json.loads((Path(__file__).parent / "data" / "solana_swap_vectors.json").read_text())
PROGRAM_IDS = {
    "Jupiter Aggregator v6": JUPITER_V6,
    "Raydium AMM v4": RAYDIUM_AMM_V4,
    "Raydium CLMM": RAYDIUM_CLMM,
    "Orca Whirlpool": ORCA_WHIRLPOOL,
}
# Orca's two-hop swaps, as the program's account structs name them (orca-so/whirlpools, instructions/two_hop_swap.rs
# and v2/two_hop_swap.rs): the user's account in and out, by index, after the flags pick them.
TWO_HOP_SIDES = {
    "two_hop_swap": lambda args: {
        "source": 4 if args["a_to_b_one"] else 6,
        "destination": 10 if args["a_to_b_two"] else 8,
    },
    "two_hop_swap_v2": lambda args: {"source": 8, "destination": 13, "input_mint": 2, "output_mint": 4, "owner": 14},
}


def _call(vector: dict, accounts: int = 18):
    keys = [Pubkey.from_string(k) for k in vector["accounts"]] if vector["accounts"] else [
        Pubkey.new_unique() for _ in range(accounts)
    ]  # fmt: skip
    program = Pubkey.from_string(PROGRAM_IDS[vector["program"]])
    ix = Instruction(program, bytes.fromhex(vector["data_hex"]), [AccountMeta(k, False, True) for k in keys])
    message = parse_message(bytes(Message.new_with_blockhash([ix], USER.pubkey(), BLOCKHASH)))
    calls, notes = decode_message(message)
    return calls[0], {n.code for n in notes}


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{i}-{v['instruction']}" for i, v in enumerate(VECTORS)])
def test_each_swap_reads_as_its_source_says(vector):
    call, codes = _call(vector)
    if vector.get("note", "").startswith("Real instruction with 1 extra"):
        assert "SOLANA_INSTRUCTION_UNREADABLE" in codes and call.confidence == 0.0  # refused, never guessed
        return
    assert not codes and call.action == "swap", codes
    assert call.function.lower() == vector["instruction"].lower()
    expect = vector.get("expected_in_source") or {}
    if "input_amount" in expect:  # Jupiter: the quote and its slippage
        assert call.roles["amount_in"] == int(expect["input_amount"])
        assert call.args["quoted_out"] == int(expect["quoted_output_amount"])
        assert call.roles["output_mint"] == expect["output_token_address"]
        assert call.args["slippage_bps"] == int(expect["slippage"])
        assert (
            call.roles["min_out"] == int(expect["quoted_output_amount"]) * (10_000 - int(expect["slippage"])) // 10_000
        )
        assert call.roles["destination"] == vector["accounts"][3]  # no separate destination: the user's own account
        assert "platform_fee_account" not in call.roles  # the program's id in an optional slot means none
    if "is_base_input" in expect:  # Raydium CLMM: one amount and a threshold, told apart by a flag
        exact_in = expect["is_base_input"]
        assert call.roles["amount_in" if exact_in else "amount_out"] == expect["amount"]
        assert call.roles["min_out" if exact_in else "max_in"] == expect["other_amount_threshold"]
    if "minimum_amount_out" in expect:
        assert (call.roles["amount_in"], call.roles["min_out"]) == (expect["amount_in"], expect["minimum_amount_out"])
    if "max_amount_in" in expect:
        assert (call.roles["max_in"], call.roles["amount_out"]) == (expect["max_amount_in"], expect["amount_out"])
    if vector["instruction"] in TWO_HOP_SIDES:
        assert all(call.args[name] == value for name, value in vector["decoded_by_documented_layout"].items())
        sides = TWO_HOP_SIDES[vector["instruction"]](call.args)
        assert {role: call.roles[role] for role in sides} == {r: vector["accounts"][i] for r, i in sides.items()}
        assert (
            call.roles["amount_in"] == call.args["amount"]
            and call.roles["min_out"] == call.args["other_amount_threshold"]
        )


def test_orca_names_its_sides_by_the_a_to_b_flag():
    vector = next(v for v in VECTORS if v["instruction"] == "swap_v2" and v["program"] == "Orca Whirlpool")
    call, _ = _call(vector)
    a, b = call.args["mint_a"], call.args["mint_b"]
    flipped = (call.roles["input_mint"], call.roles["output_mint"])
    assert flipped == ((a, b) if call.args["a_to_b"] else (b, a))


def _swap_decision(ix, stated: dict | None = None):
    from dmind.edge import evaluate_json

    from tests.solana_builders import legacy, sol_request

    obj = sol_request(legacy(ix))
    if stated is not None:
        obj["stated_intent"] = stated
    decision = evaluate_json(obj)
    return decision, {f.code: f for f in decision.findings}


ASKED = {"name": "EXECUTE_SWAP", "arguments": {"inputTokenSymbol": "USDC", "inputTokenAmount": 250}}


def test_a_swap_that_does_what_the_user_asked_passes_the_binding():
    from tests.solana_builders import BONK_MINT, jupiter_route

    stated = {**ASKED, "arguments": {**ASKED["arguments"], "outputTokenCA": str(BONK_MINT)}}
    decision, found = _swap_decision(jupiter_route(250 * 10**6, 10**12, BONK_MINT), stated)
    assert "INTENT_MISMATCH" not in found and "SWAP_RECIPIENT_NOT_SIGNER" not in found
    assert decision.verdict == "ALLOW" and decision.intent.action == "swap"


@pytest.mark.parametrize(
    "change, key",
    [
        ({"output_mint": "JUP"}, "output_token"),
        ({"amount_in": 2_500 * 10**6}, "input_amount"),
        ({"source": "JUP"}, "input_token"),  # sells from the wallet's JUP account, not its USDC one
        ({"destination": "stranger"}, "recipient"),
    ],
)
def test_a_swap_that_contradicts_the_user_is_a_mismatch(change, key):
    from solders.pubkey import Pubkey

    from tests.solana_builders import BONK_MINT, DRAINER, USER, jupiter_route, token_account

    jup = Pubkey.from_string("JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN")
    kwargs = {
        "source": token_account(USER.pubkey(), jup) if change.get("source") else None,
        "destination": token_account(DRAINER, BONK_MINT) if change.get("destination") else None,
    }
    ix = jupiter_route(
        change.get("amount_in", 250 * 10**6), 10**12, jup if change.get("output_mint") else BONK_MINT, **kwargs
    )
    stated = {**ASKED, "arguments": {**ASKED["arguments"], "outputTokenCA": str(BONK_MINT)}}
    decision, found = _swap_decision(ix, stated)
    assert "INTENT_MISMATCH" in found and found["INTENT_MISMATCH"].said.template == f"INTENT_MISMATCH.{key}"
    assert decision.verdict != "ALLOW"
    if key == "recipient":
        assert "SWAP_RECIPIENT_NOT_SIGNER" in found


def test_a_search_signs_no_solana_transaction():
    from tests.solana_builders import BONK_MINT, jupiter_route

    _, found = _swap_decision(
        jupiter_route(10**6, 10**9, BONK_MINT), {"name": "SEARCH_TOKEN", "arguments": {"symbol": "BONK"}}
    )
    assert found["INTENT_MISMATCH"].said.template == "INTENT_MISMATCH.search"


def _two_hop_v2(destination_owner, output_mint) -> Instruction:
    """Orca's `two_hop_swap_v2` (USDC → SOL → `output_mint`), written from its account struct and argument list."""
    import hashlib
    import struct

    from tests.solana_builders import USDC_MINT, token_account

    token_program = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
    wsol = Pubkey.from_string("So11111111111111111111111111111111111111112")
    data = hashlib.sha256(b"global:two_hop_swap_v2").digest()[:8]
    data += struct.pack("<QQ???", 250 * 10**6, 10**9, True, True, False) + (1).to_bytes(16, "little") * 2 + b"\x00"
    pool = [Pubkey.new_unique() for _ in range(2)]
    accounts = [
        *pool, USDC_MINT, wsol, output_mint, token_program, token_program, token_program,
        token_account(USER.pubkey(), USDC_MINT), *(Pubkey.new_unique() for _ in range(4)),
        token_account(destination_owner, output_mint), USER.pubkey(), *(Pubkey.new_unique() for _ in range(8)),
        Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"),
    ]  # fmt: skip
    program = Pubkey.from_string(ORCA_WHIRLPOOL)
    return Instruction(program, data, [AccountMeta(a, a == USER.pubkey(), True) for a in accounts])


def test_an_orca_two_hop_swap_is_bound_to_what_the_user_asked():
    from tests.solana_builders import BONK_MINT, DRAINER

    stated = {**ASKED, "arguments": {**ASKED["arguments"], "outputTokenCA": str(BONK_MINT)}}
    decision, found = _swap_decision(_two_hop_v2(USER.pubkey(), BONK_MINT), stated)
    assert decision.verdict == "ALLOW" and "INTENT_MISMATCH" not in found, found
    _, elsewhere = _swap_decision(_two_hop_v2(DRAINER, BONK_MINT), stated)
    assert "SWAP_RECIPIENT_NOT_SIGNER" in elsewhere and "INTENT_MISMATCH" in elsewhere
    jup = Pubkey.from_string("JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN")
    _, other_token = _swap_decision(_two_hop_v2(USER.pubkey(), jup), stated)
    assert other_token["INTENT_MISMATCH"].said.template == "INTENT_MISMATCH.output_token"


def _two_hop_v1(middle_out: Pubkey, middle_in: Pubkey) -> Instruction:
    """Orca's `two_hop_swap` (A→B in both pools): the user's account in, the middle token's two accounts, the out."""
    import hashlib
    import struct

    from tests.solana_builders import BONK_MINT, USDC_MINT, token_account

    token_program = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
    data = hashlib.sha256(b"global:two_hop_swap").digest()[:8]
    data += struct.pack("<QQ???", 250 * 10**6, 10**9, True, True, True) + (1).to_bytes(16, "little") * 2
    vault = Pubkey.new_unique
    accounts = [
        token_program, USER.pubkey(), vault(), vault(),
        token_account(USER.pubkey(), USDC_MINT), vault(), middle_out, vault(),
        middle_in, vault(), token_account(USER.pubkey(), BONK_MINT), vault(),
        *(vault() for _ in range(8)),
    ]  # fmt: skip
    program = Pubkey.from_string(ORCA_WHIRLPOOL)
    return Instruction(program, data, [AccountMeta(a, a == USER.pubkey(), True) for a in accounts])


def test_a_two_hop_swap_must_take_the_middle_token_from_where_it_paid_it():
    from tests.solana_builders import DRAINER, token_account

    wsol = Pubkey.from_string("So11111111111111111111111111111111111111112")
    own = token_account(USER.pubkey(), wsol)
    _, found = _swap_decision(_two_hop_v1(own, own))
    assert "SWAP_RECIPIENT_NOT_SIGNER" not in found
    decision, diverted = _swap_decision(_two_hop_v1(token_account(DRAINER, wsol), own))
    assert diverted["SWAP_RECIPIENT_NOT_SIGNER"].said.template == "SWAP_RECIPIENT_NOT_SIGNER.middle"
    assert decision.verdict != "ALLOW"
