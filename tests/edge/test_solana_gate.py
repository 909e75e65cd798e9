"""Solana requests through the whole gate: each instruction read as solders / spl-token encode it, each method,
each drainer pattern and its benign twin, and malformed or ambiguous input refused with a code."""

from __future__ import annotations

import hashlib
import struct

import pytest
import solders.compute_budget as cb
import solders.system_program as sp
import spl.token.instructions as spl
from dmind.edge import evaluate_json
from dmind.edge.errors import EdgeError
from dmind.edge.parse.request import request_from_json
from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from tests.solana_builders import (
    DRAINER,
    FRIEND,
    MAINNET,
    MEMO_PROGRAM,
    MINT,
    SOLANA_CASES,
    SOLANA_SHARED_CASES,
    TOKEN_PROGRAM,
    USER,
    USER_TOKENS,
    encoded,
    legacy,
    sign_message_request,
    sol_request,
    unknown_program_instruction,
    v0,
)

ME = USER.pubkey()

# (instruction as an independent encoder writes it, the name the gate gives it, fields it must read back)
INSTRUCTIONS = [
    (sp.transfer(sp.TransferParams(from_pubkey=ME, to_pubkey=FRIEND, lamports=123)), "transfer",
     {"source": ME, "recipient": FRIEND, "lamports": 123}),
    (sp.create_account(sp.CreateAccountParams(from_pubkey=ME, to_pubkey=FRIEND, lamports=7, space=165, owner=TOKEN_PROGRAM)),
     "createAccount", {"funder": ME, "new_account": FRIEND, "lamports": 7, "space": 165, "owner": TOKEN_PROGRAM}),
    (sp.assign(sp.AssignParams(pubkey=ME, owner=DRAINER)), "assign", {"account": ME, "owner": DRAINER}),
    (sp.allocate(sp.AllocateParams(pubkey=ME, space=10)), "allocate", {"account": ME, "space": 10}),
    (sp.transfer_with_seed(sp.TransferWithSeedParams(from_pubkey=FRIEND, from_base=ME, from_seed="vault",
                                                    from_owner=DRAINER, to_pubkey=MINT, lamports=9)),
     "transferWithSeed", {"source": FRIEND, "base_account": ME, "recipient": MINT, "lamports": 9, "from_seed": "vault",
                          "from_owner": DRAINER}),
    (sp.assign_with_seed(sp.AssignWithSeedParams(address=FRIEND, base=ME, seed="s", owner=DRAINER)),
     "assignWithSeed", {"account": FRIEND, "base_account": ME, "seed": "s", "owner": DRAINER}),
    (sp.advance_nonce_account(sp.AdvanceNonceAccountParams(nonce_pubkey=FRIEND, authorized_pubkey=ME)),
     "advanceNonceAccount", {"nonce_account": FRIEND, "nonce_authority": ME}),
    (sp.withdraw_nonce_account(sp.WithdrawNonceAccountParams(nonce_pubkey=FRIEND, authorized_pubkey=ME, to_pubkey=DRAINER,
                                                            lamports=5)),
     "withdrawNonceAccount", {"nonce_account": FRIEND, "recipient": DRAINER, "nonce_authority": ME, "lamports": 5}),
    (sp.authorize_nonce_account(sp.AuthorizeNonceAccountParams(nonce_pubkey=FRIEND, authorized_pubkey=ME,
                                                              new_authority=DRAINER)),
     "authorizeNonceAccount", {"nonce_account": FRIEND, "authority": ME, "new_authority": DRAINER}),
    (spl.transfer(spl.TransferParams(program_id=TOKEN_PROGRAM, source=USER_TOKENS, dest=FRIEND, owner=ME, amount=42,
                                     signers=[])),
     "transfer", {"source": USER_TOKENS, "destination": FRIEND, "owner": ME, "amount": 42}),
    (spl.transfer_checked(spl.TransferCheckedParams(program_id=TOKEN_PROGRAM, source=USER_TOKENS, mint=MINT, dest=FRIEND,
                                                    owner=ME, amount=42, decimals=6, signers=[])),
     "transferChecked", {"source": USER_TOKENS, "mint": MINT, "destination": FRIEND, "amount": 42, "decimals": 6}),
    (spl.approve(spl.ApproveParams(program_id=TOKEN_PROGRAM, source=USER_TOKENS, delegate=DRAINER, owner=ME,
                                   amount=2**64 - 1, signers=[])),
     "approve", {"source": USER_TOKENS, "delegate": DRAINER, "owner": ME, "amount": 2**64 - 1}),
    (spl.revoke(spl.RevokeParams(program_id=TOKEN_PROGRAM, account=USER_TOKENS, owner=ME, signers=[])),
     "revoke", {"source": USER_TOKENS, "owner": ME}),
    (spl.set_authority(spl.SetAuthorityParams(program_id=TOKEN_PROGRAM, account=USER_TOKENS,
                                              authority=spl.AuthorityType.CLOSE_ACCOUNT, current_authority=ME,
                                              new_authority=DRAINER, signers=[])),
     "setAuthority", {"account": USER_TOKENS, "owner": ME, "authority_type": "close_account", "new_authority": DRAINER}),
    (spl.mint_to(spl.MintToParams(program_id=TOKEN_PROGRAM, mint=MINT, dest=USER_TOKENS, mint_authority=ME, amount=3,
                                  signers=[])),
     "mintTo", {"mint": MINT, "destination": USER_TOKENS, "owner": ME, "amount": 3}),
    (spl.burn(spl.BurnParams(program_id=TOKEN_PROGRAM, account=USER_TOKENS, mint=MINT, owner=ME, amount=4, signers=[])),
     "burn", {"source": USER_TOKENS, "mint": MINT, "amount": 4}),
    (spl.close_account(spl.CloseAccountParams(program_id=TOKEN_PROGRAM, account=USER_TOKENS, dest=ME, owner=ME,
                                              signers=[])),
     "closeAccount", {"account": USER_TOKENS, "recipient": ME, "owner": ME}),
    (spl.create_associated_token_account(payer=ME, owner=FRIEND, mint=MINT), "create",
     {"funder": ME, "wallet": FRIEND, "mint": MINT}),
    (sp.create_lookup_table(sp.CreateLookupTableParams(authority_address=ME, payer_address=ME, recent_slot=77))[0],
     "createLookupTable", {"authority": ME, "payer": ME, "recent_slot": 77}),
    (sp.extend_lookup_table(sp.ExtendLookupTableParams(lookup_table_address=FRIEND, authority_address=ME,
                                                       payer_address=ME, new_addresses=[MINT, DRAINER])),
     "extendLookupTable", {"table": FRIEND, "authority": ME, "new_addresses": [str(MINT), str(DRAINER)]}),
    (sp.close_lookup_table(sp.CloseLookupTableParams(lookup_table_address=FRIEND, authority_address=ME,
                                                     recipient_address=DRAINER)),
     "closeLookupTable", {"table": FRIEND, "authority": ME, "recipient": DRAINER}),
    (cb.set_compute_unit_limit(200_000), "setComputeUnitLimit", {"units": 200_000}),
    (cb.set_compute_unit_price(5_000), "setComputeUnitPrice", {"micro_lamports": 5_000}),
    (Instruction(MEMO_PROGRAM, "gm 🌞".encode(), [AccountMeta(ME, True, False)]), "memo", {"text": "gm 🌞"}),
]  # fmt: skip


def _decide(obj: dict):
    return evaluate_json(obj)


@pytest.mark.parametrize("ix, name, fields", INSTRUCTIONS, ids=[f"{i}-{c[1]}" for i, c in enumerate(INSTRUCTIONS)])
def test_each_instruction_reads_back_what_the_encoder_wrote(ix, name, fields):
    decision = _decide(sol_request(legacy(ix)))
    assert decision.error is None, decision.error
    call = decision.intent.calls[0]
    assert call.function == name and call.to == str(ix.program_id) and call.source == "builtin"
    read = {**call.args, **call.roles}
    assert {k: read.get(k) for k in fields} == {k: str(v) if isinstance(v, Pubkey) else v for k, v in fields.items()}


@pytest.mark.parametrize("code", sorted(SOLANA_CASES) + sorted(SOLANA_SHARED_CASES))
def test_each_rule_fires_on_its_drainer_pattern_and_not_on_the_benign_one(code):
    fires, quiet = {**SOLANA_CASES, **SOLANA_SHARED_CASES}[code]
    assert code in {f.code for f in _decide(fires).findings}
    assert code not in {f.code for f in _decide(quiet).findings}


def test_the_decision_names_the_exact_message_bytes_the_key_signs():
    tx = legacy(sp.transfer(sp.TransferParams(from_pubkey=ME, to_pubkey=FRIEND, lamports=1)))
    decision = _decide(sol_request(tx))
    assert decision.payload.signing_bytes == bytes(tx.message)
    assert decision.digest == hashlib.sha256(bytes(tx.message)).digest()
    signature = USER.sign_message(decision.payload.signing_bytes)
    assert signature.verify(ME, bytes(tx.message))


def test_handing_a_token_account_away_is_blocked_and_a_plain_transfer_allowed():
    assert _decide(SOLANA_CASES["SOLANA_AUTHORITY_CHANGE"][0]).verdict == "BLOCK"
    assert _decide(SOLANA_CASES["SOLANA_ACCOUNT_ASSIGN"][0]).verdict == "BLOCK"
    assert _decide(SOLANA_CASES["SOLANA_DURABLE_NONCE"][0]).verdict == "STEP_UP"
    assert _decide(SOLANA_CASES["SOLANA_DURABLE_NONCE"][1]).verdict == "ALLOW"


def test_sign_all_transactions_decides_each_and_the_worst_wins():
    benign = encoded(legacy(sp.transfer(sp.TransferParams(from_pubkey=ME, to_pubkey=FRIEND, lamports=1))))
    drain = SOLANA_CASES["SOLANA_AUTHORITY_CHANGE"][0]["request"]["params"]["transaction"]
    obj = sol_request(benign, method="solana_signAllTransactions")
    obj["request"]["params"] = {"transactions": [benign, drain]}
    decision = _decide(obj)
    assert decision.verdict == "BLOCK"
    assert any(f.where and f.where.startswith("transactions[1]") for f in decision.findings)
    obj["request"]["params"] = {"transactions": [benign, benign]}
    assert _decide(obj).verdict == "ALLOW"


def test_sign_and_send_and_base58_encodings_are_read():
    tx = legacy(sp.transfer(sp.TransferParams(from_pubkey=ME, to_pubkey=FRIEND, lamports=1)))
    import base58

    as_base58 = base58.b58encode(bytes(tx)).decode()
    for obj in (sol_request(tx, method="solana_signAndSendTransaction"), sol_request(as_base58)):
        decision = _decide(obj)
        assert decision.verdict == "ALLOW" and decision.payload.signing_bytes == bytes(tx.message)


def test_an_unknown_program_and_a_lookup_table_account_are_not_understood():
    assert _decide(sol_request(legacy(unknown_program_instruction()))).verdict == "STEP_UP"
    table = AddressLookupTableAccount(Pubkey.new_unique(), [FRIEND, DRAINER])
    ix = sp.transfer(sp.TransferParams(from_pubkey=ME, to_pubkey=DRAINER, lamports=10**9))
    decision = _decide(sol_request(v0(ix, tables=[table])))
    assert "SOLANA_ACCOUNT_UNRESOLVED" in {f.code for f in decision.findings}
    assert decision.verdict == "STEP_UP"
    assert _decide(sol_request(v0(ix))).verdict == "ALLOW"  # the same transfer with its keys in the bytes


def test_lookup_table_accounts_are_read_where_the_wallet_says_what_its_tables_hold():
    table = AddressLookupTableAccount(Pubkey.new_unique(), [FRIEND, DRAINER])
    ix = sp.transfer(sp.TransferParams(from_pubkey=ME, to_pubkey=DRAINER, lamports=10**9))
    request = sol_request(v0(ix, tables=[table]))
    said = _decide({**request, "address_lookup_tables": {str(table.key): [str(FRIEND), str(DRAINER)]}})
    assert "SOLANA_ACCOUNT_UNRESOLVED" not in {f.code for f in said.findings}
    assert said.intent.calls[0].roles["recipient"] == str(DRAINER) and said.verdict == "ALLOW"
    assert said.digest == _decide(request).digest  # the same bytes are signed: only their reading changed
    short = _decide({**request, "address_lookup_tables": {str(table.key): [str(FRIEND)]}})  # entry 1 not given
    assert "SOLANA_ACCOUNT_UNRESOLVED" in {f.code for f in short.findings} and short.verdict == "STEP_UP"
    other = _decide({**request, "address_lookup_tables": {str(Pubkey.new_unique()): [str(FRIEND), str(DRAINER)]}})
    assert "SOLANA_ACCOUNT_UNRESOLVED" in {f.code for f in other.findings}
    twice = _decide({**request, "address_lookup_tables": {str(table.key): [str(FRIEND), str(ME)]}})
    assert twice.verdict == "BLOCK" and twice.error[0] == "SOLANA_TX_INVALID"  # ME is a static key already


@pytest.mark.parametrize(
    "tables",
    [
        [],
        {"0x70997970C51812dc3A010C7d01b50e0d17dc79C8": []},
        {str(FRIEND): "x"},
        {str(FRIEND): ["not base58 0OIl"]},
        {str(FRIEND): [str(DRAINER)] * 257},
        {str(Pubkey.new_unique()): [] for _ in range(33)},
    ],
)
def test_malformed_lookup_tables_are_refused(tables):
    decision = _decide({**SOLANA_CASES["SOLANA_DURABLE_NONCE"][1], "address_lookup_tables": tables})
    assert decision.verdict == "BLOCK" and decision.error is not None


def test_lookup_tables_on_an_evm_request_are_refused():
    evm = {"request": {"method": "personal_sign", "params": ["0x68656c6c6f", "0x" + "11" * 20]}, "chainId": 1}
    assert _decide({**evm, "address_lookup_tables": {}}).error[0] == "REQUEST_INVALID"


def test_a_message_that_is_a_transaction_is_blocked_and_text_is_allowed():
    tx = legacy(sp.transfer(sp.TransferParams(from_pubkey=ME, to_pubkey=DRAINER, lamports=10**9)))
    for blind in (bytes(tx.message), bytes(tx)):
        decision = _decide(sign_message_request(blind))
        assert decision.verdict == "BLOCK"
        assert "SOLANA_MESSAGE_IS_TRANSACTION" in {f.code for f in decision.findings}
    assert _decide(sign_message_request(b"Welcome to the app. Nonce: 42")).verdict == "ALLOW"


def test_sign_in_with_solana_checks_the_domain():
    text = f"app.example wants you to sign in with your Solana account:\n{ME}\n\nURI: https://app.example\nVersion: 1"
    assert _decide(sign_message_request(text.encode(), origin="https://app.example")).verdict == "ALLOW"
    wrong = _decide(sign_message_request(text.encode(), origin="https://evil.example"))
    assert wrong.verdict == "BLOCK" and "SIWE_DOMAIN_MISMATCH" in {f.code for f in wrong.findings}


@pytest.mark.parametrize(
    "change, code",
    [
        ({"chainId": 1}, "REQUEST_INVALID"),  # a Solana method on an EVM chain
        ({"chainId": "solana:unknown"}, "REQUEST_INVALID"),
        ({"from": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}, "ADDRESS_INVALID"),
        ({"request": {"method": "solana_signTransaction", "params": {}}}, "PARAMS_INVALID"),
        ({"request": {"method": "solana_signTransaction", "params": {"transaction": "!!"}}}, "SOLANA_ENCODING_INVALID"),
        ({"request": {"method": "solana_signTransaction", "params": {"transaction": "AAAA"}}}, "SOLANA_TX_INVALID"),
        ({"request": {"method": "solana_signTransaction", "params": {"transaction": "A" * 5000}}}, "SOLANA_TX_TOO_LARGE"),
        ({"request": {"method": "solana_signAllTransactions", "params": {"transactions": []}}}, "PARAMS_INVALID"),
        ({"request": {"method": "solana_signMessage", "params": {"message": "0OIl", "pubkey": str(ME)}}},
         "SOLANA_ENCODING_INVALID"),
    ],
)  # fmt: skip
def test_bad_solana_requests_are_refused_with_their_code(change, code):
    obj = {
        **sol_request(legacy(sp.transfer(sp.TransferParams(from_pubkey=ME, to_pubkey=FRIEND, lamports=1)))),
        **change,
    }
    decision = _decide(obj)
    assert decision.verdict != "ALLOW" and decision.error is not None and decision.error[0] == code


def test_caip2_chains_are_read_and_a_bare_chain_id_still_means_eip155():
    assert request_from_json({"request": {"method": "eth_sendTransaction"}, "chainId": "eip155:8453"}).chain_id == 8453
    assert request_from_json({"request": {"method": "eth_sendTransaction"}, "chainId": 1}).caip2 == "eip155:1"
    sol = request_from_json({"request": {"method": "solana_signMessage", "params": {}}, "chainId": MAINNET})
    assert sol.caip2 == MAINNET and sol.chain_id is None
    with pytest.raises(EdgeError):
        request_from_json({"request": {"method": "eth_sendTransaction"}, "chainId": MAINNET})


# The stake program's instructions are bincode: a u32 variant, then the fields (solana-program's StakeInstruction);
# no Python package builds them, so these are written from that layout here.
STAKE = Pubkey.from_string("Stake11111111111111111111111111111111111111")
CLOCK = Pubkey.from_string("SysvarC1ock11111111111111111111111111111111")
STAKE_ACCOUNT = Pubkey.new_unique()


def _stake(data: bytes, *accounts: Pubkey) -> Instruction:
    return Instruction(STAKE, data, [AccountMeta(a, a == ME, True) for a in accounts])


def _authorize(new: Pubkey, withdrawer: bool = True) -> Instruction:
    return _stake(struct.pack("<I", 1) + bytes(new) + struct.pack("<I", int(withdrawer)), STAKE_ACCOUNT, CLOCK, ME)


def test_stake_instructions_read_and_a_withdraw_authority_handed_away_is_blocked():
    withdraw = _stake(struct.pack("<IQ", 4, 5_000), STAKE_ACCOUNT, DRAINER, CLOCK, Pubkey.new_unique(), ME)
    call = _decide(sol_request(legacy(withdraw))).intent.calls[0]
    assert (call.function, call.value, call.roles["recipient"]) == ("withdraw", 5_000, str(DRAINER))
    away = _decide(sol_request(legacy(_authorize(DRAINER))))
    assert away.verdict == "BLOCK" and away.intent.calls[0].args["authority_type"] == "withdrawer"
    assert "SOLANA_AUTHORITY_CHANGE" in {f.code for f in away.findings}
    kept = _decide(sol_request(legacy(_authorize(ME, withdrawer=False))))
    assert kept.intent.calls[0].args["authority_type"] == "staker"
    assert "SOLANA_AUTHORITY_CHANGE" not in {f.code for f in kept.findings}
    bad_variant = _stake(struct.pack("<I", 1) + bytes(DRAINER) + struct.pack("<I", 7), STAKE_ACCOUNT, CLOCK, ME)
    assert _decide(sol_request(legacy(bad_variant))).verdict == "STEP_UP"  # no such authority: not read


# Found in review: each of these drained or hid something and was ALLOW or only STEP_UP.


def _no_from(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k != "from"}


def test_without_an_account_a_drain_paid_for_by_the_attacker_is_still_blocked():
    hand_over = spl.set_authority(
        spl.SetAuthorityParams(
            program_id=TOKEN_PROGRAM, account=USER_TOKENS, authority=spl.AuthorityType.ACCOUNT_OWNER,
            current_authority=ME, new_authority=DRAINER, signers=[],
        )
    )  # fmt: skip
    for ix in (hand_over, sp.assign(sp.AssignParams(pubkey=ME, owner=DRAINER))):
        decision = _decide(_no_from(sol_request(legacy(ix, payer=DRAINER))))  # the attacker pays, the user co-signs
        assert decision.verdict == "BLOCK", [f.code for f in decision.findings]
    close = spl.close_account(
        spl.CloseAccountParams(program_id=TOKEN_PROGRAM, account=USER_TOKENS, dest=DRAINER, owner=ME, signers=[])
    )
    assert _decide(_no_from(sol_request(legacy(close, payer=DRAINER)))).verdict != "ALLOW"


def test_funding_a_stake_or_nonce_account_another_key_controls_is_blocked():
    stake = Pubkey.new_unique()
    create = sp.create_account(
        sp.CreateAccountParams(from_pubkey=ME, to_pubkey=stake, lamports=500 * 10**9, space=200, owner=STAKE)
    )
    rent = Pubkey.from_string("SysvarRent111111111111111111111111111111111")

    def initialize(withdrawer: Pubkey) -> Instruction:
        data = struct.pack("<I", 0) + bytes(ME) + bytes(withdrawer) + struct.pack("<qQ", 0, 0) + bytes(32)
        return _stake(data, stake, rent)

    drained = _decide(sol_request(legacy(create, initialize(DRAINER))))
    assert drained.verdict == "BLOCK" and "SOLANA_AUTHORITY_CHANGE" in {f.code for f in drained.findings}
    assert "SOLANA_AUTHORITY_CHANGE" not in {
        f.code for f in _decide(sol_request(legacy(create, initialize(ME)))).findings
    }
    nonce = sp.initialize_nonce_account(sp.InitializeNonceAccountParams(nonce_pubkey=stake, authority=DRAINER))
    assert _decide(sol_request(legacy(create, nonce))).verdict == "BLOCK"


def test_a_signed_message_hiding_a_transaction_the_runtime_accepts_is_blocked():
    """A v0 message listing one lookup table twice: this gate's reader refuses it, the runtime does not."""
    table = bytes(Pubkey.new_unique())
    keys = [bytes(ME), bytes(Pubkey.from_string("11111111111111111111111111111111"))]
    body = bytes([0x80, 1, 0, 1, len(keys)]) + b"".join(keys) + bytes(32)
    body += bytes([1, 1, 2, 0, 2, 12]) + struct.pack("<IQ", 2, 400 * 10**9)  # System transfer: ME -> table entry 5
    body += bytes([2]) + table + bytes([1, 5, 0]) + table + bytes([0, 1, 6])
    from solders.message import from_bytes_versioned

    assert from_bytes_versioned(body).address_table_lookups[0].account_key == Pubkey(table)  # solders reads it
    decision = _decide(sign_message_request(body))
    assert decision.verdict == "BLOCK" and "SOLANA_MESSAGE_IS_TRANSACTION" in {f.code for f in decision.findings}


def test_a_swap_with_more_beside_it_or_an_unbounded_exact_out_contradicts_the_user():
    from tests.solana_builders import BONK_MINT, jupiter_route

    stated = {"name": "EXECUTE_SWAP", "arguments": {"inputTokenSymbol": "USDC", "inputTokenAmount": 250,
                                                    "outputTokenCA": str(BONK_MINT)}}  # fmt: skip
    route = jupiter_route(250 * 10**6, 10**12, BONK_MINT)
    extra = sp.transfer(sp.TransferParams(from_pubkey=ME, to_pubkey=DRAINER, lamports=300 * 10**9))
    decision = _decide({**sol_request(legacy(route, extra)), "stated_intent": stated})
    keys = {f.said.template for f in decision.findings if f.code == "INTENT_MISMATCH"}
    assert "INTENT_MISMATCH.extra_value" in keys and decision.verdict != "ALLOW"
    tip = sp.transfer(sp.TransferParams(from_pubkey=ME, to_pubkey=DRAINER, lamports=10**6))  # a 0.001 SOL tip
    assert _decide({**sol_request(legacy(route, tip)), "stated_intent": stated}).verdict == "ALLOW"


def test_solana_known_addresses_are_read_as_base58():
    decision = _decide({**SOLANA_CASES["SOLANA_DURABLE_NONCE"][1], "known_addresses": [str(FRIEND)]})
    assert decision.error is None
