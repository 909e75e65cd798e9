"""The two DMind-3-nano tools as data: their declarations and the rules every call must meet.

`SEARCH_TOKEN` looks a token up; `EXECUTE_SWAP` swaps. A swap names its output token only by
address, so a user who names the output by symbol gets a search first. The validator and the
decoding grammar both read these tables, so a call the grammar lets through always validates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dmind.policies.errors import InputError

CHAINS = ("solana", "ethereum", "bsc", "base")
EVM_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
# base58 (no 0, O, I, l) of 32 to 44 characters: Solana mints and accounts
BASE58_ADDRESS = re.compile(r"[1-9A-HJ-NP-Za-km-z]{32,44}")


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str  # FunctionGemma upper-case type: STRING or NUMBER
    description: str
    enum: tuple[str, ...] = ()
    kind: str = (
        "text"  # what the value is: address | amount (> 0) | share (in [0, 1]) | chain | symbol | keyword | text
    )


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    params: tuple[Param, ...]  # sorted by name, the order they are declared and called in
    required: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()  # at least one of these must be given
    exclusive: tuple[str, ...] = ()  # at most one of these may be given

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


TOOLS: dict[str, Tool] = {
    "SEARCH_TOKEN": Tool(
        "SEARCH_TOKEN",
        "Search a token by symbol, contract address or keyword, optionally on one chain.",
        (
            Param("address", "STRING", "Token contract address.", kind="address"),
            Param("chain", "STRING", "Chain to search on.", enum=CHAINS, kind="chain"),
            Param("keyword", "STRING", "Free-text keyword.", kind="keyword"),
            Param("symbol", "STRING", "Token symbol.", kind="symbol"),
        ),
        one_of=("symbol", "address", "keyword"),
    ),
    "EXECUTE_SWAP": Tool(
        "EXECUTE_SWAP",
        "Swap an input token for the output token at the given contract address.",
        (
            Param("inputTokenAmount", "NUMBER", "Amount of the input token to sell.", kind="amount"),
            Param("inputTokenCA", "STRING", "Contract address of the input token.", kind="address"),
            Param(
                "inputTokenPercentage", "NUMBER", "Share of the input token balance to sell, from 0 to 1.", kind="share"
            ),
            Param("inputTokenSymbol", "STRING", "Symbol of the input token.", kind="symbol"),
            Param("outputTokenAmount", "NUMBER", "Amount of the output token to buy.", kind="amount"),
            Param("outputTokenCA", "STRING", "Contract address of the output token.", kind="address"),
        ),
        required=("inputTokenSymbol",),
        exclusive=("inputTokenAmount", "inputTokenPercentage"),
    ),
}


class CallError(InputError):
    """A call that breaks its tool's schema, with a DMind SDK protocol code."""


def is_address(text: str) -> bool:
    """An EVM address (0x + 40 hex) or a base58 address of 32 to 44 characters."""
    return bool(EVM_ADDRESS.fullmatch(text) or BASE58_ADDRESS.fullmatch(text))


def _check_value(tool: Tool, param: Param, value: Any) -> None:
    where = f"{tool.name}.{param.name}"
    if param.type == "NUMBER":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CallError("E_PARAM_TYPE", f"{where} must be a number, not {value!r}")
        if param.kind == "amount" and not value > 0:
            raise CallError("E_PARAM_RANGE", f"{where} must be greater than 0, not {value}")
        if param.kind == "share" and not 0 <= value <= 1:
            raise CallError("E_PARAM_RANGE", f"{where} must lie between 0 and 1, not {value}")
        return
    if not isinstance(value, str) or not value:
        raise CallError("E_PARAM_TYPE", f"{where} must be a non-empty string, not {value!r}")
    if param.enum and value not in param.enum:
        raise CallError("E_PARAM_RANGE", f"{where} must be one of {', '.join(param.enum)}, not {value!r}")
    if param.kind == "address" and not is_address(value):
        raise CallError(
            "E_PARAM_RANGE", f"{where} must be 0x + 40 hex digits or 32-44 base58 characters, not {value!r}"
        )


def validate_call(name: str, arguments: dict[str, Any]) -> None:
    """Raise `CallError` unless `name(arguments)` meets its tool's schema."""
    tool = TOOLS.get(name)
    if tool is None:
        raise CallError("E_TOOL_UNKNOWN", f"no tool is called {name!r}; the tools are {', '.join(TOOLS)}")
    checked: list[tuple[Param, Any]] = []
    for key, value in arguments.items():
        param = tool.param(key)
        if param is None:
            raise CallError("E_PARAM_UNKNOWN", f"{name} has no parameter {key!r}")
        checked.append((param, value))
    for key in tool.required:
        if key not in arguments:
            raise CallError("E_PARAM_MISSING", f"{name} needs {key}")
    if tool.one_of and not any(key in arguments for key in tool.one_of):
        raise CallError("E_PARAM_MISSING", f"{name} needs at least one of {', '.join(tool.one_of)}")
    if sum(key in arguments for key in tool.exclusive) > 1:
        raise CallError("E_PARAM_RANGE", f"{name} takes only one of {', '.join(tool.exclusive)}")
    for param, value in checked:
        _check_value(tool, param, value)
