"""Findings: the one constructor, over the one catalogue of codes (`dmind.policies.catalogue`).

Parsers, decoders, rules and the tiers (local verifier, cloud) all make findings through
`finding()`, so every code a user can see is listed once, in the catalogue, and every
sentence once, in `dmind.policies.messages` (English and Chinese). The gate combines
weights into the risk ρ; policies may override a code's severity, weight or verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dmind.policies.catalogue import CATALOG, FAIL_CLOSED, SEVERITY_WEIGHTS
from dmind.policies.messages import Message, Phrase, message
from dmind.policies.vocabulary import Lang, Severity, Verdict

from .errors import ERROR_TITLES

__all__ = ["CATALOG", "FAIL_CLOSED", "SEVERITY_WEIGHTS", "Finding", "error_finding", "finding"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the gate noticed: a catalogued `code`, its weight, and its sentence (`message` is the English one)."""

    code: str
    severity: Severity
    weight: float
    message: str
    where: str | None = None
    said: Message | None = None  # the sentence unwritten, to write it in another language

    def text(self, lang: Lang = Lang.EN) -> str:
        """The finding's sentence in `lang`."""
        return self.said.text(lang) if self.said is not None else self.message


def finding(code: str, where: str | None = None, *, key: str = "", **args: Any) -> Finding:
    """A finding of a catalogued `code`, with the catalogue's severity and weight.

    Its sentence is the template `code` (or `code.key`) of `dmind.policies.messages`, filled with
    `args` and `where`.
    """
    severity, _ = CATALOG[code]
    said = message(f"{code}.{key}" if key else code, where=where, **args)
    return Finding(code, severity, SEVERITY_WEIGHTS[severity], said.text(Lang.EN), where, said)


def error_finding(code: str, detail: str, verdict: Verdict, where: str | None = None) -> Finding:
    """The finding that records why an input was rejected (error codes live in `errors`)."""
    severity = Severity.CRITICAL if verdict == Verdict.BLOCK else Severity.HIGH
    said = message("error", title=Phrase(*ERROR_TITLES[code]), detail=detail)
    return Finding(code, severity, SEVERITY_WEIGHTS[severity], detail, where, said)
