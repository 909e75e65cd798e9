"""Rules on counterparties the wallet knows: look-alikes of them (address poisoning), and first sends.

The wallet sends what it knows with the request (`known_addresses`: its address book and
recent counterparties, at most `MAX_KNOWN_ADDRESSES`); the edge never looks anything up.
A look-alike shares the ends people check by eye (the first and last hex digits a wallet
shows) with a known address and is not it. Where the wallet said what it knows, a send to an
address outside it is a first send, which a person (or the paired verifier) confirms.
"""

from __future__ import annotations

from os.path import commonprefix
from typing import Iterator

from dmind.policies.base58 import ALPHABET as BASE58

from ..findings import Finding, finding
from ..units import Address
from .context import RuleContext, canonical_address, recipients_of, same_address, steps
from .contracts import collect_addresses

# An address-poisoning twin is generated to match a few hex digits at each end: at least
# LOOKALIKE_MIN_SIDE on both, LOOKALIKE_MIN_TOTAL together. By chance, one random address
# matches one known address this way about once in five million.
LOOKALIKE_MIN_SIDE = 2
LOOKALIKE_MIN_TOTAL = 6


def _digits(address: str) -> str | None:
    """The characters a person compares by eye: 40 hex digits (any case), or a base58 key as written."""
    if len(address) == 42 and address[:2] == "0x":
        return "0x" + address[2:].lower()
    if 32 <= len(address) <= 44 and all(ch in BASE58 for ch in address):
        return address
    return None


def looks_like(candidate: str, real: str) -> bool:
    """`candidate` imitates `real`: the same digits at both ends (hex, or base58 for Solana), but another address."""
    a, b = _digits(candidate), _digits(real)
    if a is None or b is None or a == b or (a[:2] == "0x") != (b[:2] == "0x"):
        return False
    a, b = a.removeprefix("0x"), b.removeprefix("0x")
    prefix, suffix = len(commonprefix([a, b])), len(commonprefix([a[::-1], b[::-1]]))
    return prefix >= LOOKALIKE_MIN_SIDE and suffix >= LOOKALIKE_MIN_SIDE and prefix + suffix >= LOOKALIKE_MIN_TOTAL


def _known(ctx: RuleContext) -> set[str]:
    known = {canonical_address(a) for a in ctx.request.known_addresses or ()}
    if ctx.signer:
        known.add(canonical_address(ctx.signer))
    return known


def counterparties(ctx: RuleContext) -> set[str]:
    """The addresses the payload acts with (`canonical_address`): called contracts, the roles rules read (recipients, spenders,
    operators, tokens), typed-data roles and EIP-7702 delegates. Not every address in free-form data: a look-alike is
    judged where it would receive or control something."""
    found: set[str] = set()
    for step in steps(ctx.intent):
        collect_addresses([step.to, step.roles], found)
    if ctx.intent.typed is not None:
        collect_addresses(ctx.intent.typed.roles, found)
    if ctx.payload.tx is not None:
        collect_addresses([a.address for a in ctx.payload.tx.authorizations], found)
    return found


def _ends(address: str) -> tuple[str, str]:
    a = canonical_address(address).removeprefix("0x")
    return a[:LOOKALIKE_MIN_SIDE], a[-LOOKALIKE_MIN_SIDE:]


def look_alike(ctx: RuleContext) -> Iterator[Finding]:
    known = _known(ctx)
    if not known:
        return
    by_ends: dict[
        tuple[str, str], list[str]
    ] = {}  # a twin shares both ends, so only those known addresses are compared
    for k in sorted(known):
        by_ends.setdefault(_ends(k), []).append(k)
    for address in sorted(counterparties(ctx)):
        if address in known:
            continue
        twin = next((k for k in by_ends.get(_ends(address), ()) if looks_like(address, k)), None)
        if twin is not None:
            yield finding("ADDRESS_LOOKALIKE", address=Address(address, full=True), twin=Address(twin, full=True))


def _recipients(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    for step in steps(ctx.intent):
        if step.action == "native_transfer" and "recipient" in step.roles:  # Solana: the System Program pays a role
            yield from ((recipient, step.where) for recipient in recipients_of(step.roles))
        elif step.action == "native_transfer" and step.value > 0 and step.to:
            yield step.to, step.where
        if step.action == "transfer":
            for recipient in recipients_of(step.roles):
                yield recipient, step.where


def new_recipient(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.request.known_addresses is None:
        return  # the wallet did not say what it knows: nothing to compare with
    known = _known(ctx)
    for recipient, where in _recipients(ctx):
        if canonical_address(recipient) not in known and not same_address(recipient, ctx.signer):
            yield finding("RECIPIENT_NEW", where, recipient=Address(recipient))
