"""One decision as a person reads it (`dmind-edge check --format text`): verdict, findings, what the payload does.

The JSON (`render.decision_json`) is the contract; this is a view of the same Decision, in the
reader's language, with addresses shortened, amounts in their token's units, and the decoded
action tree indented as the calls nest.
"""

from __future__ import annotations

from typing import Any, Iterator

from dmind.policies.messages import render

from .decode.known_tokens import KnownToken, by_address
from .types import Call, Command, Decision, Lang
from .units import UNLIMITED_FLOOR, Address, Amount, lamports, native_amount, short_address

MAX_SHOWN_ARG = 72  # characters of one argument's value; the JSON has all of it
INDENT = "  "
AMOUNT_ARGS = frozenset({"amount", "value", "wad", "amountIn", "amountOutMin", "amountOut", "amountInMax"})


def _value(value: Any) -> str:
    if isinstance(value, str) and len(value) == 42 and value[:2] == "0x":
        return short_address(value)
    if isinstance(value, (bytes, bytearray)):
        text = "0x" + bytes(value).hex()
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_value(v) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if len(text) <= MAX_SHOWN_ARG else text[: MAX_SHOWN_ARG - 1] + "…"


def _args(args: dict[str, Any], depth: int, lang: Lang, token: KnownToken | None = None) -> Iterator[str]:
    """One line per argument; a known token's amounts in its units (the exact integer is in the JSON)."""
    for name, value in args.items():
        if token is not None and name in AMOUNT_ARGS and isinstance(value, int) and not isinstance(value, bool):
            shown = Amount(value, token.address, token.symbol, token.decimals, value >= UNLIMITED_FLOOR).text(lang)
        else:
            shown = _value(value)
        yield f"{INDENT * depth}{name}: {shown}"


def _command(command: Command, depth: int, lang: Lang, chain_id: int | None) -> Iterator[str]:
    yield f"{INDENT * depth}{command.name}" + (" (may revert)" if command.allow_revert else "")
    yield from _args(command.args, depth + 1, lang)
    for inner in command.commands:
        yield from _command(inner, depth + 1, lang, chain_id)
    for call in command.calls:
        yield from _call(call, depth + 1, lang, chain_id)


def _call(call: Call, depth: int, lang: Lang, chain_id: int | None) -> Iterator[str]:
    what = call.function or call.action
    token = by_address(chain_id, call.to) if call.to else None
    label = call.label or (token.symbol if token else None)
    to = Address(call.to, label=label).text(lang)
    line = render("view.call", {"what": what, "to": to}, lang)
    if call.value:
        sent = lamports(call.value) if call.standard == "system" else native_amount(call.value, chain_id)
        line += render("view.with_value", {"amount": sent}, lang)
    yield INDENT * depth + line
    yield from _args(call.args, depth + 1, lang, token)
    for command in call.commands:
        yield from _command(command, depth + 1, lang, chain_id)
    for inner in call.calls:
        yield from _call(inner, depth + 1, lang, chain_id)


def action_lines(decision: Decision, lang: Lang = Lang.EN) -> Iterator[str]:
    """What the payload does, one indented line per call, command and argument."""
    payload, intent = decision.payload, decision.intent
    chain_id = payload.chain_id if payload else None
    if intent is not None:
        for call in intent.calls:
            yield from _call(call, 1, lang, chain_id)
    typed = payload.typed_data if payload else None
    if typed is not None:
        domain = str(typed.domain.get("name") or typed.domain.get("verifyingContract") or "?")
        yield INDENT + render("view.typed", {"primary_type": typed.primary_type, "domain": domain}, lang)
        yield from _args(typed.message, 2, lang)
    elif payload is not None and payload.message is not None:
        yield INDENT + render("view.message", {"size": len(payload.message)}, lang)
        text = payload.message.decode("utf-8", "replace")
        for line in text.splitlines()[:12]:
            yield INDENT * 2 + _value(line)


def decision_text(decision: Decision, lang: Lang = Lang.EN) -> str:
    """The decision as lines a person reads, in `lang`."""
    lines = [
        render(
            "view.header",
            {
                "verdict": decision.verdict,
                "risk": decision.risk,
                "confidence": decision.confidence,
                "policy": f"{decision.policy_id} r{decision.policy_revision}",
            },
            lang,
        ),
        decision.explain(lang),
        "",
        render("view.findings", {}, lang) if decision.findings else render("view.no_findings", {}, lang),
    ]
    width = max((len(f.code) for f in decision.findings), default=0)
    for f in sorted(decision.findings, key=lambda f: -f.weight):
        where = f"  [{f.where}]" if f.where else ""
        lines.append(f"{INDENT}{f.severity:<8} {f.code:<{width}}  {f.text(lang)}{where}")
    actions = list(action_lines(decision, lang))
    if actions:
        lines += ["", render("view.actions", {}, lang), *actions]
    return "\n".join(lines) + "\n"
