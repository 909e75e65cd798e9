"""P_pub (DMind-3 eq. 4): the sanitized projection of a decided request, the only thing the
cloud tier ever sees.

Every field the projection can carry is declared once, in `FIELDS`, with how it is derived
from public facts of the decoded payload. A field goes out only if the active privacy
profile of the policy lists it; everything else about the request (the signer, exact
amounts, balances, history, address-book labels, the origin's path and query, typed-data
free text, the user's own words) has no field here and so cannot be disclosed at all.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable
from urllib.parse import urlsplit

from dmind.edge import SOLANA_PROGRAMS, UNLIMITED_FLOOR, Decision, canonical_address, grants, rule_context, steps
from dmind.policies import Policy


def _calls(decision: Decision) -> list:
    return list(steps(decision.intent)) if decision.intent else []


def _chain(decision: Decision) -> int | None:
    return decision.payload.chain_id if decision.payload else None


def _policy_chain(decision: Decision) -> str | None:
    """The chain as the policy names it (CAIP-2)."""
    return decision.payload.caip2 if decision.payload else None


def _public(address: str | None, decision: Decision, policy: Policy) -> bool:
    """Only contracts the policy names, and Solana's system programs the gate reads, are public facts. Calldata
    does not make a target a contract: an address-book contact paid with a memo, the user's own Safe or 7702
    account all carry calldata."""
    return bool(address) and (
        address in SOLANA_PROGRAMS or policy.known_contract(_policy_chain(decision), address)  # type: ignore[arg-type]
    )


def _contracts(decision: Decision, policy: Policy, origin: str | None = None) -> list[str]:
    """Known contracts (Solana: programs) called; any other target is only ever described by `counterparty_bucket`."""
    return sorted(
        {
            canonical_address(s.to)
            for s in _calls(decision)
            if s.to and getattr(s.node, "data", b"") and _public(s.to, decision, policy)
        }
    )


def _selectors(decision: Decision, policy: Policy, origin: str | None = None) -> list[str]:
    return sorted({"0x" + s.node.selector.hex() for s in _calls(decision) if getattr(s.node, "selector", None)})


def _functions(decision: Decision, policy: Policy, origin: str | None = None) -> list[str]:
    return sorted({s.node.function for s in _calls(decision) if getattr(s.node, "function", None)})


def _grants(decision: Decision, policy: Policy):
    if decision.intent is None or decision.payload is None:
        return []
    return list(grants(rule_context(decision, policy, 0)))


def _tokens(decision: Decision, policy: Policy, origin: str | None = None) -> list[str]:
    candidates = {g.token for g in _grants(decision, policy) if g.token}
    candidates |= {s.to for s in _calls(decision) if s.action == "transfer" and s.to}
    return sorted(canonical_address(t) for t in candidates if _public(t, decision, policy))


def _spenders(decision: Decision, policy: Policy, origin: str | None = None) -> list[str]:
    chain = _policy_chain(decision)
    return sorted(
        {
            canonical_address(g.spender)
            for g in _grants(decision, policy)
            if g.spender and policy.known_spender(chain, g.spender)
        }
    )


def amount_bucket(amount: int) -> str:
    """An order of magnitude, never the amount: 0, "1e0".."1e77", or "unlimited" where the gate reads it so."""
    if amount <= 0:
        return "0"
    if amount >= UNLIMITED_FLOOR:
        return "unlimited"
    return f"1e{int(math.log10(amount))}"


def _amount_buckets(decision: Decision, policy: Policy, origin: str | None = None) -> list[str]:
    amounts = [g.amount for g in _grants(decision, policy)]
    for step in _calls(decision):
        if step.action == "native_transfer":
            amounts.append(step.value)
        elif step.action == "transfer" and isinstance(step.roles.get("amount"), int):
            amounts.append(step.roles["amount"])
    return sorted({amount_bucket(a) for a in amounts})


_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")


def _origin_host(decision: Decision, policy: Policy, origin: str | None) -> str | None:
    """The origin's host in ASCII (IDNA) form, or nothing: a value that is not plainly a host
    name (a backslash path, percent-escapes, a broken IPv6 literal) could carry the path."""
    if not origin:
        return None
    try:
        host = urlsplit(origin if "://" in origin else f"https://{origin}").hostname
        host = host.encode("idna").decode("ascii").lower() if host else None
    except (ValueError, UnicodeError):
        return None
    return host if host and _HOST.fullmatch(host) else None


# Who receives or may spend, on EVM and on Solana (a delegate, a new authority, a destination token account).
PARTY_ROLES = ("recipient", "spender", "operator", "delegate", "new_authority", "destination")


def _counterparty_bucket(decision: Decision, policy: Policy, origin: str | None = None) -> list[str]:
    """What kind of party receives or spends, never which: known contract, unknown address."""
    chain = _policy_chain(decision)
    kinds = set()
    for step in _calls(decision):
        party = next((step.roles[r] for r in PARTY_ROLES if isinstance(step.roles.get(r), str)), None)
        if isinstance(party, str):
            kinds.add("known-contract" if policy.known_contract(chain, party) else "unknown-address")
    return sorted(kinds)


# field -> how it is derived from (decision, policy, origin). Only these can ever leave the device,
# and only if the profile lists them.
FIELDS: dict[str, Callable[..., Any]] = {
    "chain_id": lambda d, p, o: _chain(d),
    "method": lambda d, p, o: d.payload.method if d.payload else None,
    "action": lambda d, p, o: d.intent.action if d.intent else None,
    "contract": _contracts,
    "selector": _selectors,
    "function": _functions,
    "token": _tokens,
    "spender": _spenders,
    "amount_bucket": _amount_buckets,
    "origin_host": _origin_host,
    "typed_data_schema": lambda d, p, o: d.intent.typed.schema if d.intent and d.intent.typed else None,
    "counterparty_bucket": _counterparty_bucket,
}


def sanitize(
    decision: Decision,
    policy: Policy,
    origin: str | None = None,
    profile: str | None = None,
    fields: dict[str, Callable[..., Any]] | None = None,
) -> dict[str, Any]:
    """P_pub: the fields the privacy profile discloses, derived from public facts only.

    Every projection also names the profile and the gate's own result (verdict and finding
    codes, never their messages): the cloud advises on that result, and it holds no user data.

    `profile` defaults to the policy's active one; `fields` exists for the audit's own test,
    which must show the detector catching a field that leaks.
    """
    table = FIELDS if fields is None else fields
    active = profile or policy.privacy.profile
    allowed = policy.privacy.disclose.get(active, frozenset())
    projection: dict[str, Any] = {
        "profile": active,
        "findings": sorted({f.code for f in decision.findings}),
        "verdict": decision.verdict,
    }
    for name in sorted(allowed & set(table)):
        value = table[name](decision, policy, origin)
        if value not in (None, [], ""):
            projection[name] = value
    return projection
