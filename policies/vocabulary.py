"""The words the policy and every tier share: verdicts, severities, routing plans and languages.

They are `StrEnum`s, so they compare equal to, and serialize as, the strings on the wire
(JSON, CBOR, TOML) while a typo in code is a name error instead of a silently dead rule.
They live here, at the bottom of the dependency graph, because the policy names them;
`dmind.edge.types` re-exports them beside the edge's own enumerations.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """The gate's answer for one request."""

    ALLOW = "ALLOW"
    BLOCK = "BLOCK"
    STEP_UP = "STEP_UP"


class Severity(StrEnum):
    """How much one finding weighs; the weights are in `catalogue.SEVERITY_WEIGHTS`."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Plan(StrEnum):
    """A routing plan κ (DMind-3 eq. 5): which tiers one request consults, in order."""

    EDGE_ONLY = "edge-only"
    EDGE_LOCAL = "edge→local"
    EDGE_CLOUD = "edge→cloud"
    EDGE_CLOUD_LOCAL = "edge→cloud→local"

    @property
    def tiers(self) -> tuple[str, ...]:
        """The tiers after the edge, in the order they are consulted."""
        return tuple(self.value.split("→")[1:])

    @property
    def budget_key(self) -> str:
        """The plan's key in the policy's `routing.latency_budget_ms` table (`edge`, `edge_local`, ...)."""
        return "_".join(("edge", *self.tiers))


class Lang(StrEnum):
    """The languages findings and explanations are written in (`policies.messages`)."""

    EN = "en"
    ZH = "zh"
