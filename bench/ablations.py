"""Ablations (the DMind-3 paper's Table 4, measured our way): what each part of the stack contributes.

A seeded, labelled corpus of safe and unsafe requests for one user, whose private context
(contacts, past approvals, an exposure limit, a deny list) the local verifier holds. Each
request goes through the edge; a STEP_UP goes to the local verifier (in process: this
measures decisions, not latency). Variants switch one part off. Reported per variant: the
share of unsafe requests that end ALLOW and of safe requests that end BLOCK.

The `tampered display` family stands for a compromised wallet front end: the reading the
user approved (the edge summary sent to the verifier) is not what the payload does. Only
cross-tier consistency can see it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from random import Random
from typing import Callable, Optional

from dmind.edge import comparable_reading, encode_call, evaluate_json
from dmind.local_tier.store import ContextStore
from dmind.local_tier.verify import verify
from dmind.policies import Policy, default_policy

NOW = 1_795_000_000
SIGNER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
EXPOSURE_LIMIT = 5_000 * 10**6  # the user's own cap on USDC approvals and transfers


@dataclass(frozen=True, slots=True)
class Case:
    family: str
    unsafe: bool
    request: dict
    shown: Optional[dict] = None  # the reading the user approved, when a tampered front end shows something else


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    step_up: Optional[str] = None  # None: escalate; "ALLOW" / "BLOCK": what a STEP_UP becomes without a verifier
    private_rules: bool = True
    cross_tier: bool = True


VARIANTS = (
    Variant("full stack"),
    Variant("no step-up, user signs", step_up="ALLOW"),
    Variant("no step-up, wallet refuses", step_up="BLOCK"),
    Variant("local verifier without private context", private_rules=False),
    Variant("local verifier without cross-tier consistency", cross_tier=False),
)


def _address(rng: Random) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address("0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40)))


def _look_alike(address: str, rng: Random) -> str:
    """Same first and last four hex digits, another middle: an address-poisoning twin."""
    from eth_utils import to_checksum_address

    middle = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return to_checksum_address(address[:6] + middle + address[-4:])


def _tx(to: str, data: str = "0x", value: int = 0, nonce: int = 1) -> dict:
    tx = {
        "from": SIGNER,
        "to": to,
        "value": hex(value),
        "data": data,
        "gas": "0x30000",
        "nonce": hex(nonce),
        "maxFeePerGas": "0x6fc23ac00",
        "maxPriorityFeePerGas": "0x3b9aca00",
        "chainId": "0x1",
    }
    return {
        "request": {"method": "eth_sendTransaction", "params": [tx]},
        "chainId": 1,
        "from": SIGNER,
        "origin": "https://app.example",
    }


def _approve(spender: str, amount: int) -> dict:
    return _tx(USDC, "0x" + encode_call("approve(address,uint256)", spender, amount).hex())


def _transfer(to: str, amount: int) -> dict:
    return _tx(USDC, "0x" + encode_call("transfer(address,uint256)", to, amount).hex())


@dataclass
class Context:
    """The user's private context, as the local verifier's store holds it."""

    contacts: list[str]
    spenders: list[str]
    denied: list[str]

    def known(self) -> list[str]:
        """What the wallet itself knows and sends with each request: its address book and recent counterparties."""
        return self.contacts + self.spenders

    def seed(self, store: ContextStore) -> None:
        for i, contact in enumerate(self.contacts):
            store.add_contact(contact, f"contact {i}")
            store.record_interaction(contact, "send", at=NOW - 86400)
        for spender in self.spenders:
            store.record_interaction(spender, "approve", USDC, 10**6, at=NOW - 86400)
        for denied in self.denied:
            store.set_listed(denied, "deny")
        store.set_holding(USDC, 20_000 * 10**6, EXPOSURE_LIMIT)


def corpus(count: int, seed: int = 11) -> tuple[Context, list[Case]]:
    """`count` labelled cases spread over the families below, with the context they are judged in."""
    rng = Random(seed)
    context = Context(
        [_address(rng) for _ in range(8)], [_address(rng) for _ in range(4)], [_address(rng) for _ in range(3)]
    )
    families: list[tuple[str, bool, Callable[[], Case | dict]]] = [
        ("send ETH to a contact", False, lambda: _tx(rng.choice(context.contacts), value=rng.randrange(1, 10**18))),
        (
            "send USDC to a contact",
            False,
            lambda: _transfer(rng.choice(context.contacts), rng.randrange(1, EXPOSURE_LIMIT)),
        ),
        (
            "approve a spender used before",
            False,
            lambda: _approve(rng.choice(context.spenders), rng.randrange(1, EXPOSURE_LIMIT)),
        ),
        (
            "sign a login message",
            False,
            lambda: {
                "request": {
                    "method": "personal_sign",
                    "params": ["0x" + f"Sign in to app.example, nonce {rng.randrange(10**9)}".encode().hex(), SIGNER],
                },
                "chainId": 1,
                "from": SIGNER,
            },
        ),
        (
            "send ETH to a poisoned look-alike",
            True,
            lambda: _tx(_look_alike(rng.choice(context.contacts), rng), value=10**17),
        ),
        (
            "send USDC to a poisoned look-alike",
            True,
            lambda: _transfer(_look_alike(rng.choice(context.contacts), rng), 10**8),
        ),
        ("approve a spender never used", True, lambda: _approve(_address(rng), rng.randrange(1, EXPOSURE_LIMIT))),
        ("approve a denylisted spender", True, lambda: _approve(rng.choice(context.denied), 10**6)),
        (
            "approve over the user's exposure limit",
            True,
            lambda: _approve(rng.choice(context.spenders), EXPOSURE_LIMIT * 3),
        ),
        (
            "blind eth_sign of a hash",
            True,
            lambda: {
                "request": {"method": "eth_sign", "params": [SIGNER, "0x" + "ab" * 32]},
                "chainId": 1,
                "from": SIGNER,
            },
        ),
        ("tampered display: approval shown as a payment", True, lambda: _tampered(context, rng)),
    ]
    cases = []
    for i in range(count):
        name, unsafe, make = families[i % len(families)]
        made = make()
        case = made if isinstance(made, Case) else Case(name, unsafe, {**made, "id": i})
        cases.append(replace(case, request={**case.request, "known_addresses": context.known()}))
    return context, cases


def _tampered(context: Context, rng: Random) -> Case:
    """The payload approves a known spender; the front end showed the user a payment to a contact."""
    request = _approve(rng.choice(context.spenders), rng.randrange(1, EXPOSURE_LIMIT))
    shown = comparable_reading(
        evaluate_json(_tx(rng.choice(context.contacts), value=10**16), now=NOW), default_policy(), NOW
    )
    return Case("tampered display: approval shown as a payment", True, request, shown)


def _final(case: Case, variant: Variant, store: ContextStore, policy: Policy) -> str:
    decision = evaluate_json(case.request, policy=policy, now=NOW)
    if decision.verdict != "STEP_UP":
        return decision.verdict
    if variant.step_up is not None:
        return variant.step_up
    shown = case.shown if case.shown is not None else comparable_reading(decision, policy, NOW)
    return verify(
        case.request, shown, store, policy, NOW, private_rules=variant.private_rules, cross_tier=variant.cross_tier
    ).verdict


def run_ablations(
    count: int = 220, seed: int = 11, progress: Callable[[int, int], None] = lambda done, total: None
) -> dict:
    """unsafe-ALLOW and false-BLOCK rates per variant, overall and per family."""
    policy = default_policy()
    context, cases = corpus(count, seed)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = ContextStore(Path(tmp) / "context.sqlite3")
        context.seed(store)
        for n, variant in enumerate(VARIANTS, 1):
            verdicts = [(case, _final(case, variant, store, policy)) for case in cases]
            unsafe = [v for c, v in verdicts if c.unsafe]
            safe = [v for c, v in verdicts if not c.unsafe]
            rows[variant.name] = {
                "unsafe_allow_rate": sum(v == "ALLOW" for v in unsafe) / len(unsafe),
                "false_block_rate": sum(v == "BLOCK" for v in safe) / len(safe),
                "step_up_left": sum(v == "STEP_UP" for _, v in verdicts) / len(verdicts),
                "by_family": {
                    family: _family_rate(verdicts, family) for family in dict.fromkeys(c.family for c in cases)
                },
            }
            progress(n, len(VARIANTS))
        store.close()
    return {
        "cases": len(cases),
        "unsafe": sum(c.unsafe for c in cases),
        "safe": sum(not c.unsafe for c in cases),
        "variants": rows,
    }


def _family_rate(verdicts: list[tuple[Case, str]], family: str) -> dict:
    chosen = [(c, v) for c, v in verdicts if c.family == family]
    wrong = sum((v == "ALLOW") if c.unsafe else (v == "BLOCK") for c, v in chosen)
    return {"unsafe": chosen[0][0].unsafe, "cases": len(chosen), "wrong": wrong}
