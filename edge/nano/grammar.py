"""The decoding grammar: what the model may write, as an llguidance Lark grammar built from the tool tables.

An output is either one call, whose arguments follow the tool's schema in declaration
order, or plain text that ends the turn. Constraints the schema states (required keys, "at
least one of", "at most one of", enums, number ranges, address shapes) are enumerated into
the grammar, so everything generated under it parses and validates. Addresses are narrowed
further to those that appear in the conversation: the model can copy an address, never
invent one.
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import Iterable, Optional, Sequence

from .tools import TOOLS, Param, Tool

# Canonical numbers, as `protocol.format_number` writes them.
AMOUNT = r"/[1-9][0-9]{0,11}(\.[0-9]{0,7}[1-9])?|0\.[0-9]{0,7}[1-9]/"
SHARE = r"/0|1|0\.[0-9]{0,3}[1-9]/"
ANY_ADDRESS = r"/0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{32,44}/"
TEXT_VALUE = r"/[^<]{1,64}/"
# Plain text: no markup and no braces, so it can never be read as an unwrapped call.
REPLY = r"/[^<{}\s][^<{}]{0,400}/"

_EVM_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])")
_BASE58_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{32,44}(?![0-9A-Za-z])")


def addresses_in(texts: Iterable[str]) -> list[str]:
    """Every EVM or base58 address written in `texts`, in order of first appearance."""
    found: dict[str, None] = {}
    for text in texts:
        for pattern in (_EVM_IN_TEXT, _BASE58_IN_TEXT):
            for match in pattern.finditer(text):
                found.setdefault(match.group(), None)
    return list(found)


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
            out.append(keys)
    return out


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value_terminal(tool: Tool, param: Param, addresses: Optional[Sequence[str]]) -> tuple[str, str]:
    """(terminal name, definition) for the value of `param`."""
    name = f"{tool.name}_{param.name}".upper()
    if param.type == "NUMBER":
        return name, SHARE if param.kind == "share" else AMOUNT
    if param.enum:
        return name, " | ".join(_quote(v) for v in param.enum)
    if param.kind == "address":
        return name, ANY_ADDRESS if addresses is None else " | ".join(_quote(a) for a in addresses)
    return name, TEXT_VALUE


def lark_grammar(addresses: Optional[Sequence[str]] = None, tools: Iterable[Tool] = TOOLS.values()) -> str:
    """The grammar; `addresses` lists the addresses a call may use (None: any well-formed one)."""
    tools = list(tools)
    rules = ["start: call | reply", "reply: REPLY <end_of_turn>", f"REPLY: {REPLY}",
             "call: <start_function_call> \"call:\" (" + " | ".join(t.name.lower() for t in tools) + ") <end_function_call>"]
    for tool in tools:
        usable = [p.name for p in tool.params if p.kind != "address" or addresses is None or addresses]
        sets = key_sets(tool, usable)
        rule = tool.name.lower()
        rules.append(f"{rule}: {_quote(tool.name + '{')} ({' | '.join(f'{rule}_{i}' for i in range(len(sets)))}) \"}}\"")
        for i, keys in enumerate(sets):
            rules.append(f"{rule}_{i}: " + ' "," '.join(f"{rule}__{k.lower()}" for k in keys))
        for param in tool.params:
            if param.name not in usable:
                continue
            terminal, definition = _value_terminal(tool, param, addresses)
            value = terminal if param.type == "NUMBER" else f"<escape> {terminal} <escape>"
            rules.append(f"{rule}__{param.name.lower()}: {_quote(param.name + ':')} {value}")
            rules.append(f"{terminal}: {definition}")
    return "\n".join(rules) + "\n"
