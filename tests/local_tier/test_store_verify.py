"""The private context store and deep verification, in-process."""

from __future__ import annotations

import subprocess
import sys

import pytest
from dmind.edge import EdgeError, evaluate_json, parse_pubkey
from dmind.edge.summary import comparable_reading
from dmind.local_tier.store import ContextStore, StoreError
from dmind.local_tier.verify import verify
from dmind.policies import default_policy

from tests.builders import SIGNER, USDC, calldata, eip1559, raw_tx_request

NOW = 1_795_000_000
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
# A look-alike of FRIEND: same first and last four hex digits, different middle.
POISON = "0x7099" + "00" * 16 + "79c8"
STRANGER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
POLICY = default_policy()


@pytest.fixture
def store(tmp_path):
    store = ContextStore(tmp_path / "context.sqlite3")
    yield store
    store.close()


def send(to: str, value: int = 10**16) -> dict:
    return raw_tx_request(eip1559(to, value=value, gas=21_000))


def approve(spender: str, amount: int = 10**6) -> dict:
    return raw_tx_request(
        eip1559(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [spender, amount]))
    )


def codes(request: dict, store: ContextStore, edge: dict | None = None):
    decision = evaluate_json(request, policy=POLICY, now=NOW)
    result = verify(
        request, edge if edge is not None else comparable_reading(decision, POLICY, NOW), store, POLICY, NOW
    )
    return result.verdict, {f.code for f in result.findings}


def test_migrations_wal_and_reopen(tmp_path):
    store = ContextStore(tmp_path / "c.sqlite3")
    assert store.schema_version == 1
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.add_contact(FRIEND, "Alice")
    store.close()
    assert ContextStore(tmp_path / "c.sqlite3").label(FRIEND) == "Alice"


def test_acknowledged_writes_survive_kill_9(tmp_path):
    script = (
        "from dmind.local_tier.store import ContextStore\n"
        f"s = ContextStore({str(tmp_path / 'c.sqlite3')!r})\n"
        "for i in range(50):\n"
        "    s.record_interaction('0x%040x' % i, 'send')\n"
        "    print(i, flush=True)\n"
        "import os, signal; os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    acknowledged = len(result.stdout.split())
    assert acknowledged == 50 and result.returncode == -9
    assert ContextStore(tmp_path / "c.sqlite3").summary()["interactions"] == acknowledged


def test_offers_are_single_use_and_expire(store):
    store.add_offer(b"h1", NOW + 60)
    store.spend_offer(b"h1", NOW)
    for token, now, code in ((b"h1", NOW, "PAIRING_TOKEN_USED"), (b"zz", NOW, "PAIRING_TOKEN_UNKNOWN")):
        with pytest.raises(StoreError) as caught:
            store.spend_offer(token, now)
        assert caught.value.code == code
    store.add_offer(b"h2", NOW + 60)
    with pytest.raises(StoreError) as caught:
        store.spend_offer(b"h2", NOW + 61)
    assert caught.value.code == "PAIRING_OFFER_EXPIRED"


def test_counters_only_grow(store):
    store.add_pairing("d1", b"k" * 32, "w", NOW)
    store.advance_counter("d1", 5)
    for stale in (5, 4):
        with pytest.raises(StoreError):
            store.advance_counter("d1", stale)
    store.revoke("d1", NOW)
    with pytest.raises(StoreError):
        store.advance_counter("d1", 9)


def test_poisoning_and_first_interaction_fire_on_seeded_history(store):
    store.record_interaction(FRIEND, "send")
    store.add_contact(FRIEND, "Alice")
    assert codes(send(POISON), store) == ("BLOCK", {"ADDRESS_POISONING"})
    assert codes(send(STRANGER), store) == ("ALLOW", {"FIRST_INTERACTION"})


def test_and_stay_quiet_for_a_known_counterparty(store):
    store.record_interaction(FRIEND, "send")
    assert codes(send(FRIEND), store) == ("ALLOW", set())


def test_poisoning_compares_only_with_addresses_actually_used(store):
    store.add_contact(FRIEND, "Alice")  # in the book, never used: a look-alike of it is not flagged as poisoning
    assert "ADDRESS_POISONING" not in codes(send(POISON), store)[1]


def test_spender_never_used_deny_list_and_exposure(store):
    assert "SPENDER_NEVER_USED" in codes(approve(FRIEND), store)[1]
    store.record_interaction(FRIEND, "approve")
    assert codes(approve(FRIEND), store) == ("ALLOW", set())
    store.set_holding(USDC, 10**9, exposure_limit=10**6)
    assert codes(approve(FRIEND, 10**6 + 1), store)[1] == {"EXPOSURE_OVER_LIMIT"}
    store.set_listed(FRIEND, "deny")
    assert codes(approve(FRIEND), store) == ("BLOCK", {"USER_DENYLISTED"})


def test_cross_tier_divergence_tightens_the_verdict(store):
    store.record_interaction(FRIEND, "send")
    request = send(FRIEND)
    decision = evaluate_json(request, policy=POLICY, now=NOW)
    honest = comparable_reading(decision, POLICY, NOW)
    lying = {**honest, "counterparties": [STRANGER.lower()]}
    assert codes(request, store, honest) == ("ALLOW", set())
    assert codes(request, store, lying) == ("BLOCK", {"CROSS_TIER_DIVERGENCE"})


def test_a_blocked_payload_stays_blocked(store):
    blocked = {"request": {"method": "eth_sign", "params": [SIGNER, "0x" + "11" * 32]}, "chainId": 1, "from": SIGNER}
    assert codes(blocked, store)[0] == "BLOCK"


# Found in review: each once came back ALLOW or blocked the wrong thing.
def test_operator_approval_to_a_stranger_is_blocked(store):
    request = raw_tx_request(
        eip1559(
            "0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D",
            calldata("setApprovalForAll(address,bool)", ["address", "bool"], [STRANGER, True]),
        )
    )
    verdict, found = codes(request, store)
    assert verdict == "BLOCK" and "SPENDER_NEVER_USED" in found


def test_an_unreadable_call_is_never_allowed(store):
    request = raw_tx_request(eip1559(STRANGER, b"\x12\x34\x56\x78" + b"\x00" * 64))
    verdict, found = codes(request, store)
    assert verdict == "BLOCK" and {"PAYLOAD_UNREADABLE", "FIRST_INTERACTION"} <= found


def test_two_genuine_look_alikes_are_not_poisoning(store):
    store.record_interaction(FRIEND, "send")
    store.record_interaction(POISON, "send")  # the user really uses both
    assert codes(send(FRIEND), store) == ("ALLOW", set())


def test_verdicts_must_be_bytes():
    from dmind.edge.verdict import VerdictError, verify_verdict
    from dmind.policies.bundle import TrustStore

    for junk in (123, "x", [], None):
        with pytest.raises(VerdictError):
            verify_verdict(junk, b"\x00" * 32, SIGNER, b"r", TrustStore(), NOW)


def test_only_a_block_on_private_context_alone_is_put_to_the_user(store):
    def may_decide(request: dict, edge: dict | None = None) -> bool:
        decision = evaluate_json(request, policy=POLICY, now=NOW)
        reading = edge if edge is not None else comparable_reading(decision, POLICY, NOW)
        return verify(request, reading, store, POLICY, NOW).user_may_decide

    assert may_decide(approve(STRANGER))  # SPENDER_NEVER_USED: high, yours to overrule
    store.record_interaction(FRIEND, "send")
    assert not may_decide(send(FRIEND))  # allowed: nothing to decide
    assert not may_decide(send(POISON))  # ADDRESS_POISONING is critical
    lying = {**comparable_reading(evaluate_json(send(FRIEND), policy=POLICY, now=NOW), POLICY, NOW), "action": "x"}
    assert not may_decide(send(FRIEND), lying)  # the tiers disagree: one of them was fooled
    assert not may_decide({"request": {"method": "eth_sign", "params": [SIGNER, "0x" + "11" * 32]}, "chainId": 1})


@pytest.mark.parametrize(
    ("kind", "address", "value"),
    [
        ("contact", "notanaddress", "Alice"),
        ("contact", FRIEND, "x" * 65),
        ("contact", FRIEND, "Alice\x00"),
        ("holding", USDC, "-5"),
        ("holding", USDC, "1:2:3"),
        ("holding", USDC, str(2**256)),
        ("interaction", FRIEND, "steal"),
        ("colour", FRIEND, ""),
    ],
)
def test_a_bad_fact_is_refused_with_a_reason_and_nothing_is_stored(store, kind, address, value):
    with pytest.raises(StoreError) as refused:
        store.add_fact(kind, address, value)
    assert refused.value.code == "CONTEXT_INVALID" and refused.value.message
    assert not any(store.summary()[t] for t in ("address_book", "interactions", "holdings", "lists"))


def test_context_from_the_cli_lists_removes_and_refuses(tmp_path):
    cli = [sys.executable, "-m", "dmind.edge", "local", "context"]
    state = ["--state", str(tmp_path)]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*cli, *args, *state], capture_output=True, text=True, timeout=60)

    assert run("add", "contact", FRIEND, "Alice").returncode == 0
    bad = run("add", "contact", "notanaddress", "Bob")
    assert bad.returncode == 2 and "CONTEXT_INVALID" in bad.stderr and "Traceback" not in bad.stderr
    listed = run("list")
    assert "Alice" in listed.stdout and FRIEND.lower() in listed.stdout
    assert run("remove", "contact", FRIEND).returncode == 0
    assert "Alice" not in run("list").stdout
    missing = run("remove", "contact", FRIEND)
    assert missing.returncode == 2 and "CONTEXT_NOT_FOUND" in missing.stderr
    unknown = tmp_path / "ctx.json"
    unknown.write_text('{"contact": {"%s": "Alice"}}' % FRIEND)  # a misspelt section
    typo = run("import", str(unknown))
    assert typo.returncode == 2 and "unknown section" in typo.stderr


def _solana_twin(real: str) -> str:
    """A valid Solana address with `real`'s first and last four characters and another middle: a poisoning twin."""
    for ch in "23456789ABCDEFGH":
        twin = real[:4] + ch * (len(real) - 8) + real[-4:]
        try:
            if twin != real and parse_pubkey(twin, "twin") == twin:
                return twin
        except EdgeError:
            continue
    raise AssertionError("no twin found")


def test_solana_counterparties_are_checked_against_the_users_own_history(store):
    import solders.system_program as sp

    from tests.solana_builders import DRAINER, USER, legacy, sol_request
    from tests.solana_builders import FRIEND as SOL_FRIEND

    def pay(to) -> dict:
        ix = sp.transfer(sp.TransferParams(from_pubkey=USER.pubkey(), to_pubkey=to, lamports=10**9))
        return sol_request(legacy(ix))

    store.record_interaction(str(SOL_FRIEND), "send")
    store.add_contact(str(SOL_FRIEND), "Alice")
    assert store.label(str(SOL_FRIEND)) == "Alice" and store.label(str(SOL_FRIEND).lower()) is None  # case is the key
    assert codes(pay(SOL_FRIEND), store) == ("ALLOW", set())
    assert codes(pay(DRAINER), store) == ("ALLOW", {"FIRST_INTERACTION"})
    twin = _solana_twin(str(SOL_FRIEND))
    from solders.pubkey import Pubkey

    assert codes(pay(Pubkey.from_string(twin)), store) == ("BLOCK", {"ADDRESS_POISONING"})
    store.set_listed(str(DRAINER), "deny")
    assert codes(pay(DRAINER), store) == ("BLOCK", {"USER_DENYLISTED"})
