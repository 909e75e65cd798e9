"""The sanitization audit: realistic requests with planted secrets, and a count of every leak.

Each generated request plants values the cloud must never see: the signer, recipients from
a private address book and their labels, exact amounts, balances and names in typed-data
messages, e-mail addresses, the origin's path and query, and the user's own words. Each
request is decided by the gate, projected under every privacy profile, and the projection
is searched for every planted value. A violation is a planted value found in a projection.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from dmind.edge import encode_call, evaluate_json, to_checksum
from dmind.policies import Policy
from dmind.policies.model import PRIVACY_PROFILES

from .sanitize import sanitize

USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
PERMIT2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3"
DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
NAMES = ("Alice", "Bob", "Carol", "Dmitri", "Eun-ji", "Farah", "Gustavo", "Hana")


@dataclass(frozen=True, slots=True)
class Case:
    request: dict
    planted_text: tuple[str, ...]  # must not appear anywhere in the projection (case-insensitive)
    planted_numbers: tuple[int, ...]  # must not appear as any value of the projection


def _address(rng: random.Random) -> str:
    return to_checksum(rng.randbytes(20))


def _word(rng: random.Random, n: int = 10) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


def _tx(signer: str, to: str, value: int, data: str, origin: str, intent: str) -> dict:
    return {
        "id": secrets.token_hex(4),
        "chainId": 1,
        "from": signer,
        "origin": origin,
        "stated_intent": intent,
        "request": {
            "method": "eth_sendTransaction",
            "params": [{"from": signer, "to": to, "value": hex(value), "data": data}],
        },
    }


ORIGIN_SHAPES = (
    "https://app.{host}.example/{seg}/portfolio?ref={query}&user={user}",
    "https://app.{host}.example\\{seg}?ref={query}&user={user}",  # a backslash ends the host only for browsers
    "app.{host}.example/{seg}?ref={query}&user={user}",  # no scheme
    "https://{user}:{query}@app.{host}.example:8443/{seg}",  # userinfo and port
    "https://app.{host}.example%2F{seg}%3Fref={query}&user={user}/",  # percent-escaped path in the host
    "https://bücher-{host}.example/{seg}?ref={query}&user={user}",  # an IDN host
)
KINDS = 10  # request shapes generate() cycles through


def _calldata(signature: str, *args: object) -> str:
    return "0x" + encode_call(signature, *args).hex()


def generate(count: int, seed: int = 7) -> Iterator[Case]:
    """`count` cases cycling through transfers, approvals, permits, typed data, messages, memos,
    self-calls and batches, with origins in every shape that has hidden a path before."""
    rng = random.Random(seed)
    for index in range(count):
        signer, friend = _address(rng), _address(rng)
        surname = _word(
            rng, 6
        )  # the distinctive part of a label: a bare first name like "Bob" occurs in random host names
        label, email = f"{rng.choice(NAMES)} {surname}", f"{_word(rng, 8)}@{_word(rng, 6)}.example"
        amount, balance = rng.randrange(10**6, 10**24), rng.randrange(10**6, 10**24)
        seg, query, user = _word(rng, 7), _word(rng, 12), _word(rng, 9)
        origin = ORIGIN_SHAPES[index % len(ORIGIN_SHAPES)].format(host=_word(rng, 5), seg=seg, query=query, user=user)
        intent = f"send {amount} to {label}, I hold {balance}"
        text = (
            signer.lower()[2:],
            friend.lower()[2:],
            surname,
            label.lower(),
            email.lower(),
            email.split("@")[1],
            seg,
            query,
            user,
            intent.lower(),
        )
        kind = index % KINDS
        if kind == 0:
            request = _tx(signer, friend, amount, "0x", origin, intent)
        elif kind == 1:
            data = _calldata("transfer(address,uint256)", friend, amount)
            request = _tx(signer, USDC, 0, data, origin, intent)
        elif kind == 2:
            data = _calldata("approve(address,uint256)", PERMIT2, amount)
            request = _tx(signer, USDC, 0, data, origin, intent)
        elif kind == 3:
            typed = {
                "types": {
                    "EIP712Domain": DOMAIN,
                    "Profile": [
                        {"name": "name", "type": "string"},
                        {"name": "email", "type": "string"},
                        {"name": "wallet", "type": "address"},
                        {"name": "balance", "type": "uint256"},
                    ],
                },
                "primaryType": "Profile",
                "domain": {"name": "Example Dapp", "chainId": 1, "verifyingContract": USDC},
                "message": {"name": label, "email": email, "wallet": friend, "balance": str(balance)},
            }
            request = {
                "id": index,
                "chainId": 1,
                "from": signer,
                "origin": origin,
                "stated_intent": intent,
                "request": {"method": "eth_signTypedData_v4", "params": [signer, json.dumps(typed)]},
            }
        elif kind == 4:
            message = f"Hello {label}, confirm {email} holds {balance}"
            request = {
                "id": index,
                "chainId": 1,
                "from": signer,
                "origin": origin,
                "stated_intent": intent,
                "request": {"method": "personal_sign", "params": ["0x" + message.encode().hex(), signer]},
            }
        elif kind == 5:  # a payment to a contact with a memo: calldata does not make the contact a contract
            request = _tx(signer, friend, amount, "0x" + f"{balance:064x}", origin, intent)
        elif kind == 6:  # an EIP-7702 self-call: the signer's own account is the call target
            data = _calldata("transfer(address,uint256)", friend, amount)
            request = _tx(signer, signer, 0, data, origin, intent)
        elif kind == 7:  # an approval to a person, not a contract
            data = _calldata("approve(address,uint256)", friend, amount)
            request = _tx(signer, USDC, 0, data, origin, intent)
        elif kind == 8:  # an EIP-2612 permit whose spender is a contact
            typed = {
                "types": {
                    "EIP712Domain": DOMAIN,
                    "Permit": [
                        {"name": n, "type": t}
                        for n, t in (
                            ("owner", "address"),
                            ("spender", "address"),
                            ("value", "uint256"),
                            ("nonce", "uint256"),
                            ("deadline", "uint256"),
                        )
                    ],
                },
                "primaryType": "Permit",
                "domain": {"name": "USD Coin", "chainId": 1, "verifyingContract": USDC},
                "message": {
                    "owner": signer,
                    "spender": friend,
                    "value": str(amount),
                    "nonce": "0",
                    "deadline": str(balance),
                },
            }
            request = {
                "id": index,
                "chainId": 1,
                "from": signer,
                "origin": origin,
                "stated_intent": intent,
                "request": {"method": "eth_signTypedData_v4", "params": [signer, json.dumps(typed)]},
            }
        else:  # a batch with a memo to a contact and a transfer from the user's own account
            calls = [
                {"to": friend, "data": "0x" + f"{balance:064x}", "value": hex(amount)},
                {"to": signer, "data": _calldata("transfer(address,uint256)", friend, amount)},
            ]
            request = {
                "id": index,
                "chainId": 1,
                "from": signer,
                "origin": origin,
                "stated_intent": intent,
                "request": {
                    "method": "wallet_sendCalls",
                    "params": [{"chainId": "0x1", "from": signer, "calls": calls}],
                },
            }
        yield Case(request, text, (amount, balance))


def _values(obj: Any) -> Iterator[Any]:
    if isinstance(obj, dict):
        for value in obj.values():
            yield from _values(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _values(value)
    else:
        yield obj


def violations(projection: dict, case: Case) -> list[str]:
    """The planted values this projection leaks, in any spelling: addresses are planted as bare hex
    (so 0x-less and ABI-padded forms match), amounts in decimal and hex, URLs part by part."""
    text = json.dumps(projection, ensure_ascii=False).lower()
    leaked = [value for value in case.planted_text if value in text]
    leaked += [str(n) for n in case.planted_numbers if str(n) in text or f"{n:x}" in text]
    leaked += [
        str(v)
        for v in _values(projection)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v in case.planted_numbers
    ]
    return leaked


def run_audit(
    count: int,
    policy: Policy,
    fields: dict[str, Callable[..., Any]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Per profile: requests, violating requests, violation rate, mean projection size (≈ tokens)."""
    started = time.perf_counter()
    totals: dict[str, dict[str, Any]] = {
        p: {"requests": 0, "violations": 0, "chars": 0, "examples": []} for p in PRIVACY_PROFILES
    }
    for index, case in enumerate(generate(count)):
        decision = evaluate_json(case.request, policy=policy)
        for profile in PRIVACY_PROFILES:
            projection = sanitize(decision, policy, case.request.get("origin"), profile, fields)
            leaked = violations(projection, case)
            row = totals[profile]
            row["requests"] += 1
            row["chars"] += len(json.dumps(projection))
            if leaked:
                row["violations"] += 1
                if len(row["examples"]) < 3:
                    row["examples"].append(leaked[:3])
        if progress and index % 500 == 0:
            progress(index)
    return {
        "requests": count,
        "seconds": round(time.perf_counter() - started, 1),
        "profiles": {
            p: {
                "requests": r["requests"],
                "violations": r["violations"],
                "violation_rate_pct": round(100 * r["violations"] / max(1, r["requests"]), 2),
                "mean_tokens": round(r["chars"] / max(1, r["requests"]) / 4, 1),
                "examples": r["examples"],
            }
            for p, r in totals.items()
        },
    }
