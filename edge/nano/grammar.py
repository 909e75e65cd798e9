"""The decoding grammar: what the model may write, as an llguidance Lark grammar built from the tool tables.

An output is either one call, whose arguments follow the tool's schema in declaration
order, or plain text that ends the turn. Constraints the schema states (required keys, "at
least one of", "at most one of", enums, number ranges, address shapes) are enumerated into
the grammar, so everything generated under it parses and validates. Values are narrowed
further to those grounded in the conversation (`grounding.Grounds`): the model can copy an
address, a number, a chain or a symbol that was given, never invent one. A kind of value
with nothing to ground it drops out of the grammar, so where the user named no amount a
swap cannot be written and the model asks instead.
"""

from __future__ import annotations

from itertools import combinations
from typing import Callable, Iterable, Optional, Sequence

from .grounding import Grounds
from .protocol import format_number
from .tools import TOOLS, Param, Tool

# Canonical numbers, as `protocol.format_number` writes them.
AMOUNT = r"/[1-9][0-9]{0,11}(\.[0-9]{0,7}[1-9])?|0\.[0-9]{0,7}[1-9]/"
SHARE = r"/0|1|0\.[0-9]{0,3}[1-9]/"
ANY_ADDRESS = r"/0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{32,44}/"
TEXT_VALUE = r"/[^<]{1,64}/"
# Plain text: no markup and no braces, so it can never be read as an unwrapped call.
REPLY = r"/[^<{}\s][^<{}]{0,400}/"

# What a call the model writes must say beyond the schema: each group needs one of its keys. A swap
# that does not say how much to sell would leave whoever executes it to guess, so the model asks
# instead. A swap without an output address sells into the wallet's default quote asset.
MODEL_MUST: dict[str, tuple[tuple[str, ...], ...]] = {
    "EXECUTE_SWAP": (("inputTokenAmount", "inputTokenPercentage"),),
}
# Values that must not name the same token, for a swap never sells a token for itself: (first key, second key, how
# to tell). "same": equal addresses; "found": a symbol and the address a search found that symbol at.
APART: dict[str, tuple[tuple[str, str, str], ...]] = {
    "EXECUTE_SWAP": (("inputTokenCA", "outputTokenCA", "same"), ("inputTokenSymbol", "outputTokenCA", "found")),
}


def key_sets(tool: Tool, available: Sequence[str]) -> list[tuple[str, ...]]:
    """Every set of argument names a valid call may carry, each in declaration order."""
    names = [p.name for p in tool.params if p.name in available]
    out = []
    for size in range(1, len(names) + 1):
        for keys in combinations(names, size):
            if any(r not in keys for r in tool.required):
                continue
            if tool.one_of and not any(k in keys for k in tool.one_of):
                continue
            if sum(k in keys for k in tool.exclusive) > 1:
                continue
            if any(not any(k in keys for k in group) for group in MODEL_MUST.get(tool.name, ())):
                continue
            out.append(keys)
    return out


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _written(param: Param, grounds: Grounds) -> Optional[list[str]]:
    """The values `param` may take as the call writes them, or None where the value is free."""
    grounded = grounds.values(param.kind)
    if grounded is None:
        return None
    written = [format_number(v) for v in grounded] if param.type == "NUMBER" else [v for v in grounded if _writable(v)]
    return [v for v in written if v in param.enum] if param.enum else written


def _writable(value: str) -> bool:
    """A grounded string the call syntax can carry between `<escape>` marks."""
    return 0 < len(value) <= 64 and "<" not in value


def _definition(param: Param, written: Optional[list[str]]) -> str:
    """A terminal's definition: the written values, or any well-formed one."""
    if written is not None:
        return " | ".join(_quote(v) for v in written)
    if param.type == "NUMBER":
        return SHARE if param.kind == "share" else AMOUNT
    if param.enum:
        return " | ".join(_quote(v) for v in param.enum)
    return ANY_ADDRESS if param.kind == "address" else TEXT_VALUE


def _clash(how: str, grounds: Grounds) -> Callable[[str, str], bool]:
    """Whether two values name the same token, by the rule `how` of `APART`."""
    if how == "same":
        return lambda first, second: first == second
    found = {(address, symbol.upper()) for address, symbol in grounds.found}
    return lambda symbol, address: (address, symbol.upper()) in found


def _ways(
    tool: Tool, keys: Sequence[str], written: dict[str, Optional[list[str]]], grounds: Grounds
) -> list[dict[str, list[str]]]:
    """The ways a call with `keys` may choose values so that no `APART` pair names one token: value lists per key.

    Values of a pair's first key are grouped by what they rule out of its second; each group is
    one way. A call with nothing to keep apart has one way, which narrows nothing.
    """
    ways: list[dict[str, list[str]]] = [{}]
    for first, second, how in APART.get(tool.name, ()):
        firsts, seconds_written = written.get(first), written.get(second)
        if first not in keys or second not in keys or firsts is None or seconds_written is None:
            continue
        clash, merged = _clash(how, grounds), []
        for way in ways:
            groups: dict[tuple[str, ...], list[str]] = {}
            seconds = way.get(second, seconds_written)
            for value in way.get(first, firsts):
                groups.setdefault(tuple(v for v in seconds if not clash(value, v)), []).append(value)
            merged += [{**way, first: values, second: list(allowed)} for allowed, values in groups.items() if allowed]
        ways = merged
    return ways


def lark_grammar(grounds: Grounds = Grounds(), tools: Iterable[Tool] = TOOLS.values()) -> str:
    """The grammar for a conversation whose arguments may take `grounds` (default: any well-formed value)."""
    rules, callable_tools = [], []
    for tool in tools:
        rule = tool.name.lower()
        params = {p.name: p for p in tool.params}
        written = {p.name: _written(p, grounds) for p in tool.params}
        usable = [
            p.name for p in tool.params if written[p.name] is None or written[p.name]
        ]  # grounded with nothing: drops out
        values: dict[tuple[str, Optional[tuple[str, ...]]], str] = {}  # (key, its values) -> the rule writing them

        def value_rule(key: str, allowed: Optional[list[str]]) -> str:
            marker = (key, None if allowed is None else tuple(allowed))
            if marker not in values:
                param, n = params[key], sum(k == key for k, _ in values)
                name, terminal = f"{rule}__{key.lower()}_{n}", f"{tool.name}_{key}_{n}".upper()
                value = terminal if param.type == "NUMBER" else f"<escape> {terminal} <escape>"
                rules.extend([f"{name}: {_quote(key + ':')} {value}", f"{terminal}: {_definition(param, allowed)}"])
                values[marker] = name
            return values[marker]

        alternatives = []
        for i, keys in enumerate(key_sets(tool, usable)):
            for j, way in enumerate(_ways(tool, keys, written, grounds)):
                alternatives.append(f"{rule}_{i}_{j}")
                rules.append(
                    f"{alternatives[-1]}: " + ' "," '.join(value_rule(k, way.get(k, written[k])) for k in keys)
                )
        if not alternatives:
            continue  # nothing grounds a call of this tool: the model answers in text or calls another
        callable_tools.append(rule)
        rules.append(f'{rule}: {_quote(tool.name + "{")} ({" | ".join(alternatives)}) "}}"')
    head = ["start: reply", "reply: REPLY <end_of_turn>", f"REPLY: {REPLY}"]
    if callable_tools:
        head[0] = "start: call | reply"
        head.append(f'call: <start_function_call> "call:" ({" | ".join(callable_tools)}) <end_function_call>')
    return "\n".join(head + rules) + "\n"
