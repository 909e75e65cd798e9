"""The policy on Solana: facts asked for by cluster (CAIP-2), spenders, limits and tokens it names, and its scope."""

from __future__ import annotations

import spl.token.instructions as spl
from dmind.edge import evaluate_json
from dmind.policies import default_policy, policy_from_dict, policy_to_dict
from solders.pubkey import Pubkey

from tests.solana_builders import (
    BONK_MINT,
    DRAINER,
    FRIEND,
    MAINNET,
    MINT,
    TOKEN_PROGRAM,
    USER,
    USER_TOKENS,
    jupiter_route,
    legacy,
    sol_request,
    token_account,
    v0,
)

DEVNET = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"


def _policy(**facts) -> object:
    return policy_from_dict({**policy_to_dict(default_policy()), **facts})


def _codes(obj: dict, policy=None, **kw) -> dict[str, set[str]]:
    decision = evaluate_json(obj, policy, **kw)
    found: dict[str, set[str]] = {}
    for f in decision.findings:
        found.setdefault(f.code, set()).add(f.said.template if f.said else "")
    return found


def _approve_checked(amount: int) -> object:
    params = spl.ApproveCheckedParams(
        program_id=TOKEN_PROGRAM,
        source=USER_TOKENS,
        mint=MINT,
        delegate=DRAINER,
        owner=USER.pubkey(),
        amount=amount,
        decimals=6,
        signers=[],
    )
    return spl.approve_checked(params)


def test_a_delegate_the_policy_names_on_this_cluster_is_not_news():
    request = sol_request(legacy(_approve_checked(1_000)))
    trusting = _policy(known_spenders={MAINNET: [str(DRAINER)]})
    assert "SPENDER_UNKNOWN" in _codes(request)
    assert "SPENDER_UNKNOWN" not in _codes(request, trusting)
    # the same program id on devnet is another deployment: the mainnet fact does not carry over
    assert "SPENDER_UNKNOWN" in _codes({**request, "chainId": DEVNET}, trusting)


def test_a_delegation_above_the_policy_limit_for_its_mint_counts_as_unlimited():
    limited = _policy(approval_limits={MAINNET: {str(MINT): "1000000"}})
    over = _codes(sol_request(legacy(_approve_checked(5_000_000))), limited)
    assert "APPROVAL_UNLIMITED.over_limit" in over.get("APPROVAL_UNLIMITED", set())
    assert "APPROVAL_UNLIMITED" not in _codes(sol_request(legacy(_approve_checked(500_000))), limited)
    assert "APPROVAL_UNLIMITED" not in _codes(sol_request(legacy(_approve_checked(5_000_000))))  # no limit set


def test_a_token_the_policy_names_is_read_in_its_units_for_the_intent():
    stated = {"name": "EXECUTE_SWAP", "arguments": {"inputTokenSymbol": "POPCAT", "inputTokenAmount": 5,
                                                    "outputTokenCA": str(BONK_MINT)}}  # fmt: skip
    sells_fifty = jupiter_route(50 * 10**9, 10**9, BONK_MINT, source=token_account(USER.pubkey(), MINT))
    request = {**sol_request(legacy(sells_fifty)), "stated_intent": stated}
    naming = _policy(known_tokens={MAINNET: {str(MINT): {"symbol": "POPCAT", "decimals": 9}}})
    assert "INTENT_MISMATCH.input_amount" in _codes(request, naming).get("INTENT_MISMATCH", set())
    # without the policy's word the symbol names no mint, so the amount cannot be compared (never guessed)
    assert "INTENT_MISMATCH.input_amount" not in _codes(request).get("INTENT_MISMATCH", set())
    sells_five = jupiter_route(5 * 10**9, 10**9, BONK_MINT, source=token_account(USER.pubkey(), MINT))
    assert "INTENT_MISMATCH" not in _codes({**sol_request(legacy(sells_five)), "stated_intent": stated}, naming)


def test_the_built_in_mainnet_mints_are_not_read_on_devnet():
    usdc = Pubkey.from_string("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
    stated = {"name": "EXECUTE_SWAP", "arguments": {"inputTokenSymbol": "USDC", "inputTokenAmount": 250,
                                                    "outputTokenCA": str(BONK_MINT)}}  # fmt: skip
    sells_more = jupiter_route(999 * 10**6, 10**9, BONK_MINT, source=token_account(USER.pubkey(), usdc))
    request = {**sol_request(legacy(sells_more)), "stated_intent": stated}
    assert "INTENT_MISMATCH.input_amount" in _codes(request).get("INTENT_MISMATCH", set())
    on_devnet = _codes({**request, "chainId": DEVNET})
    assert "INTENT_MISMATCH.input_amount" not in on_devnet.get("INTENT_MISMATCH", set())


def test_a_bundle_scope_names_solana_clusters():
    request = sol_request(legacy(_approve_checked(1_000)))
    both = ("eip155:1", MAINNET)
    assert evaluate_json(request, scope=both).error is None
    assert evaluate_json({**request, "chainId": DEVNET}, scope=both).error[0] == "POLICY_OUT_OF_SCOPE"
    no_cluster = {k: v for k, v in request.items() if k != "chainId"}
    assert evaluate_json(no_cluster, scope=("eip155:1",)).error[0] == "POLICY_OUT_OF_SCOPE"
    assert evaluate_json(no_cluster, scope=both).error is None
    evm = {"request": {"method": "personal_sign", "params": ["0x68656c6c6f", "0x" + "11" * 20]}, "chainId": 1}
    assert evaluate_json(evm, scope=(MAINNET,)).error[0] == "POLICY_OUT_OF_SCOPE"
    assert evaluate_json(evm, scope=both).error is None


def _approve(amount: int) -> object:
    """A plain `approve`: it names the token account, not the mint."""
    params = spl.ApproveParams(
        program_id=TOKEN_PROGRAM, source=USER_TOKENS, delegate=DRAINER, owner=USER.pubkey(), amount=amount, signers=[]
    )
    return spl.approve(params)


def test_a_plain_approve_is_held_to_the_limit_of_the_mint_its_account_is_for():
    trusting = {"known_spenders": {MAINNET: [str(DRAINER)]}}
    limited = _policy(**trusting, approval_limits={MAINNET: {str(MINT): "1000000"}})
    over = _codes(sol_request(legacy(_approve(5_000_000))), limited)  # USER_TOKENS is the user's account for MINT
    assert "APPROVAL_UNLIMITED.over_limit" in over.get("APPROVAL_UNLIMITED", set())
    assert "APPROVAL_UNLIMITED" not in _codes(sol_request(legacy(_approve(500_000))), limited)
    other_mint = _policy(**trusting, approval_limits={MAINNET: {str(BONK_MINT): "1000000"}})
    unknown = _codes(sol_request(legacy(_approve(500_000))), other_mint)  # limits exist, this account's mint unknown
    assert "APPROVAL_UNLIMITED.limit_unknown" in unknown.get("APPROVAL_UNLIMITED", set())
    nearly_all = _codes(sol_request(legacy(_approve(2**64 - 2))), _policy(**trusting))
    assert "APPROVAL_UNLIMITED.delegate" in nearly_all.get("APPROVAL_UNLIMITED", set())


def test_a_denylisted_solana_address_is_blocked_wherever_the_transaction_loads_it():
    import solders.system_program as sp
    from solders.address_lookup_table_account import AddressLookupTableAccount

    pay = sp.transfer(sp.TransferParams(from_pubkey=USER.pubkey(), to_pubkey=FRIEND, lamports=10**6))
    denying = _policy(denylist=[str(FRIEND)])
    assert evaluate_json(sol_request(legacy(pay)), denying).verdict == "BLOCK"
    assert evaluate_json(sol_request(legacy(pay))).verdict == "ALLOW"
    table = AddressLookupTableAccount(Pubkey.new_unique(), [FRIEND])
    via_table = {**sol_request(v0(pay, tables=[table])), "address_lookup_tables": {str(table.key): [str(FRIEND)]}}
    decision = evaluate_json(via_table, denying)
    assert decision.verdict == "BLOCK" and "ADDRESS_DENYLISTED" in {f.code for f in decision.findings}
    assert evaluate_json(sol_request(legacy(pay)), _policy(denylist=[str(FRIEND).lower()])).verdict == "ALLOW"


def test_first_sends_and_look_alikes_of_known_solana_addresses_are_caught():
    import solders.system_program as sp

    pay = sp.transfer(sp.TransferParams(from_pubkey=USER.pubkey(), to_pubkey=FRIEND, lamports=10**6))
    friend = str(FRIEND)
    assert "RECIPIENT_NEW" in _codes({**sol_request(legacy(pay)), "known_addresses": [str(DRAINER)]})
    assert "RECIPIENT_NEW" not in _codes({**sol_request(legacy(pay)), "known_addresses": [friend]})
    twin = friend[:4] + str(DRAINER)[4 : len(friend) - 4] + friend[-4:]  # the ends people compare, another key
    found = _codes({**sol_request(legacy(pay)), "known_addresses": [twin]})
    assert "ADDRESS_LOOKALIKE" in found and "RECIPIENT_NEW" in found


def test_a_symbol_the_policy_gives_to_two_mints_names_none():
    usdc = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
    stated = {"name": "EXECUTE_SWAP", "arguments": {"inputTokenSymbol": "USDC", "inputTokenAmount": 250,
                                                    "outputTokenCA": str(BONK_MINT)}}  # fmt: skip
    sells_more = jupiter_route(
        999 * 10**6, 10**9, BONK_MINT, source=token_account(USER.pubkey(), Pubkey.from_string(usdc))
    )
    request = {**sol_request(legacy(sells_more)), "stated_intent": stated}
    assert "INTENT_MISMATCH.input_amount" in _codes(request).get("INTENT_MISMATCH", set())  # the built-in USDC
    two = {usdc: {"symbol": "USDC", "decimals": 6}, str(MINT): {"symbol": "usdc", "decimals": 6}}
    ambiguous = _codes(request, _policy(known_tokens={MAINNET: two}))
    assert "INTENT_MISMATCH.input_amount" not in ambiguous.get("INTENT_MISMATCH", set())  # no fallback, no guess
