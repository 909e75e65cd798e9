"""Rules on the contracts a payload touches: unknown code with value, ownership, upgrades, denylist."""

from __future__ import annotations

from typing import Any, Iterator

from dmind.policies.chains import SOLANA, address_in
from dmind.policies.messages import Phrase

from ..findings import Finding, finding
from ..types import Call
from ..units import Address, native_amount
from .context import RuleContext, steps

UNINTERPRETED = Phrase("calldata the gate cannot interpret", "网关无法解读的调用数据")
RENOUNCED = Phrase("nobody (renounced)", "无人（已放弃）")

_ADMIN_FINDINGS = {"ownership_transfer": "OWNERSHIP_TRANSFER", "proxy_upgrade": "PROXY_UPGRADE"}


# Standards whose functions may receive native value; any other decoded call with value is suspect.
PAYABLE_STANDARDS = frozenset({"universal_router", "uniswap_v2", "uniswap_v3", "weth", "multicall", "safe"})
# Standards whose meaning is the implementation's, not an interface's: a look-alike selector on an
# unknown contract can do anything, so the decoded meaning holds only for contracts the policy knows.
TARGET_BOUND_STANDARDS = frozenset({"universal_router", "uniswap_v2", "uniswap_v3", "weth", "permit2"})


def value_to_unknown_selector(ctx: RuleContext) -> Iterator[Finding]:
    """Native value with calldata: fine only for a payable standard on a contract the policy knows.

    Anyone can deploy a `multicall` or a `multiSend`; an empty one just keeps the value.
    """
    for step in steps(ctx.intent):
        node = step.node
        if not isinstance(node, Call) or step.value == 0 or not node.data:
            continue
        if node.standard in PAYABLE_STANDARDS and node.to and ctx.policy.known_contract(ctx.chain, node.to):
            continue
        what = node.function or UNINTERPRETED
        yield finding(
            "VALUE_TO_UNKNOWN_SELECTOR",
            step.where,
            amount=native_amount(step.value, ctx.chain_id),
            to=Address(step.to),
            what=what,
        )


def unverified_contract(ctx: RuleContext) -> Iterator[Finding]:
    for step in steps(ctx.intent):
        node = step.node
        if (
            isinstance(node, Call)
            and node.standard in TARGET_BOUND_STANDARDS
            and node.to
            and not ctx.policy.known_contract(ctx.chain, node.to)
        ):
            yield finding(
                "CONTRACT_UNVERIFIED",
                step.where,
                function=node.function,
                standard=node.standard,
                to=Address(node.to),
                chain_id=ctx.chain_id,
            )


def admin_actions(ctx: RuleContext) -> Iterator[Finding]:
    for step in steps(ctx.intent):
        code = _ADMIN_FINDINGS.get(step.action)
        if code is not None:
            function = getattr(step.node, "function", None) or step.action
            target = step.roles.get("newOwner") or step.roles.get("implementation")
            yield finding(
                code,
                step.where,
                function=function,
                contract=Address(step.to),
                target=Address(target) if target else RENOUNCED,
            )


def contract_creation(ctx: RuleContext) -> Iterator[Finding]:
    for step in steps(ctx.intent):
        if step.action == "contract_creation":
            yield finding("CONTRACT_CREATION", step.where, size=len(getattr(step.node, "data", b"")))


def collect_addresses(value: Any, out: set[str]) -> None:
    """Every address string anywhere inside `value` into `out`: 0x-hex in lower case, Solana keys as written."""
    if isinstance(value, str):
        if len(value) == 42 and value[:2] == "0x":
            out.add(value.lower())
        elif 32 <= len(value) <= 44 and address_in(SOLANA, value) is not None:
            out.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            collect_addresses(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            collect_addresses(item, out)


def addresses_in(ctx: RuleContext) -> set[str]:
    """Every address the payload names (lower case): calls, roles, arguments, typed data, authorizations."""
    found: set[str] = set()
    for step in steps(ctx.intent):
        collect_addresses([step.to, step.roles, getattr(step.node, "args", None)], found)
    if ctx.payload.typed_data is not None:
        collect_addresses([ctx.payload.typed_data.domain, ctx.payload.typed_data.message], found)
    if ctx.payload.tx is not None:
        collect_addresses([a.address for a in ctx.payload.tx.authorizations], found)
    for message in ctx.payload.solana:  # every key the transaction loads, whether or not an instruction reads it
        found.update(key for key in (*message.account_keys, *message.loaded) if key is not None)
    return found


def denylisted(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.policy.denylist:
        return
    for address in sorted(addresses_in(ctx)):
        if ctx.policy.denied(address):
            yield finding("ADDRESS_DENYLISTED", address=Address(address, full=True))
