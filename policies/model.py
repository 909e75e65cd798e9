"""The policy the gate enforces: thresholds, finding overrides and facts the edge cannot see.

Independent of any file format: `policy_from_dict` validates a plain mapping (from JSON,
TOML or, later, a signed CBOR bundle) and names the offending field in every error.
Addresses are stored lower-case; per-chain facts are keyed by integer chain id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

VERDICTS = ("ALLOW", "BLOCK", "STEP_UP")
OVERRIDE_VERDICTS = ("BLOCK", "STEP_UP", "IGNORE")
SEVERITIES = ("info", "low", "medium", "high", "critical")
DEFAULT_MAX_PERMIT_LIFETIME_S = 30 * 24 * 3600
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_CODE = re.compile(r"[A-Z][A-Z0-9_]*")


class PolicyError(ValueError):
    """A policy that does not validate; `field` names where."""

    code = "POLICY_INVALID"

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True, slots=True)
class Thresholds:
    tau_conf: float = 0.8   # below this confidence γ: STEP_UP
    tau_risk: float = 0.3   # at or above this risk ρ: STEP_UP
    tau_block: float = 0.8  # at or above this risk ρ: BLOCK


@dataclass(frozen=True, slots=True)
class FindingOverride:
    severity: str | None = None
    weight: float | None = None
    verdict: str | None = None  # BLOCK | STEP_UP | IGNORE


@dataclass(frozen=True, slots=True)
class Policy:
    policy_id: str = "builtin-default"
    revision: int = 0
    thresholds: Thresholds = field(default_factory=Thresholds)
    overrides: Mapping[str, FindingOverride] = field(default_factory=lambda: MappingProxyType({}))
    known_spenders: Mapping[int, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    delegates_7702: Mapping[int, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    known_contracts: Mapping[int, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    denylist: frozenset[str] = frozenset()
    approval_limits: Mapping[int, Mapping[str, int]] = field(default_factory=lambda: MappingProxyType({}))
    max_permit_lifetime_s: int = DEFAULT_MAX_PERMIT_LIFETIME_S
    require_chain_context: bool = True

    def known_spender(self, chain_id: int | None, address: str) -> bool:
        return chain_id is not None and address.lower() in self.known_spenders.get(chain_id, frozenset())

    def allowed_delegate(self, chain_id: int | None, address: str) -> bool:
        return chain_id is not None and address.lower() in self.delegates_7702.get(chain_id, frozenset())

    def denied(self, address: str) -> bool:
        return address.lower() in self.denylist

    def approval_limit(self, chain_id: int | None, token: str) -> int | None:
        if chain_id is None:
            return None
        return self.approval_limits.get(chain_id, {}).get(token.lower())


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise PolicyError(name, f"must be a number in [{low}, {high}], got {value!r}")
    return float(value)


def _int(value: Any, name: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise PolicyError(name, f"must be an integer >= {low}, got {value!r}")
    return value


def _address(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise PolicyError(name, f"must be a 0x-prefixed 20-byte hex address, got {value!r}")
    return value.lower()


def _chain_key(key: Any, name: str) -> int:
    text = str(key)
    if not text.isdigit():
        raise PolicyError(name, f"chain ids must be decimal integers, got {key!r}")
    return int(text)


def _per_chain_addresses(raw: Any, name: str) -> Mapping[int, frozenset[str]]:
    if not isinstance(raw, dict):
        raise PolicyError(name, "must map chain ids to lists of addresses")
    out = {}
    for key, addresses in raw.items():
        chain = _chain_key(key, f"{name}.{key}")
        if not isinstance(addresses, list):
            raise PolicyError(f"{name}.{key}", "must be a list of addresses")
        out[chain] = frozenset(_address(a, f"{name}.{key}[{i}]") for i, a in enumerate(addresses))
    return MappingProxyType(out)


def _override(raw: Any, name: str) -> FindingOverride:
    if not isinstance(raw, dict) or set(raw) - {"severity", "weight", "verdict"}:
        raise PolicyError(name, "must be a table with any of severity, weight, verdict")
    severity, verdict = raw.get("severity"), raw.get("verdict")
    if severity is not None and severity not in SEVERITIES:
        raise PolicyError(f"{name}.severity", f"must be one of {', '.join(SEVERITIES)}")
    if verdict is not None and verdict not in OVERRIDE_VERDICTS:
        raise PolicyError(f"{name}.verdict", f"must be one of {', '.join(OVERRIDE_VERDICTS)}")
    weight = _number(raw["weight"], f"{name}.weight", 0.0, 1.0) if "weight" in raw else None
    return FindingOverride(severity, weight, verdict)


_KNOWN_KEYS = {"policy_id", "revision", "thresholds", "overrides", "known_spenders", "delegates_7702", "known_contracts",
               "denylist", "approval_limits", "max_permit_lifetime_s", "require_chain_context"}


def policy_from_dict(raw: Mapping[str, Any]) -> Policy:
    """Validate a plain mapping into a Policy; unknown keys are errors, not ignored."""
    if not isinstance(raw, Mapping):
        raise PolicyError("policy", "must be a table")
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise PolicyError(unknown[0], "is not a policy field")
    policy_id = raw.get("policy_id", "unnamed")
    if not isinstance(policy_id, str) or not policy_id:
        raise PolicyError("policy_id", "must be a non-empty string")
    t = raw.get("thresholds", {})
    if not isinstance(t, Mapping) or set(t) - {"tau_conf", "tau_risk", "tau_block"}:
        raise PolicyError("thresholds", "must be a table of tau_conf, tau_risk, tau_block")
    defaults = Thresholds()
    thresholds = Thresholds(
        _number(t.get("tau_conf", defaults.tau_conf), "thresholds.tau_conf", 0.0, 1.0),
        _number(t.get("tau_risk", defaults.tau_risk), "thresholds.tau_risk", 0.0, 1.0),
        _number(t.get("tau_block", defaults.tau_block), "thresholds.tau_block", 0.0, 1.0),
    )
    if thresholds.tau_block < thresholds.tau_risk:
        raise PolicyError("thresholds.tau_block", "must not be below tau_risk")
    overrides_raw = raw.get("overrides", {})
    if not isinstance(overrides_raw, Mapping):
        raise PolicyError("overrides", "must map finding codes to tables")
    for code in overrides_raw:
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise PolicyError(f"overrides.{code}", "finding codes are upper-case identifiers")
    limits_raw = raw.get("approval_limits", {})
    if not isinstance(limits_raw, Mapping):
        raise PolicyError("approval_limits", "must map chain ids to {token: limit}")
    limits = {}
    for key, tokens in limits_raw.items():
        if not isinstance(tokens, Mapping):
            raise PolicyError(f"approval_limits.{key}", "must map token addresses to integer limits")
        limits[_chain_key(key, f"approval_limits.{key}")] = MappingProxyType(
            {_address(tok, f"approval_limits.{key}.{tok}"): _int(_limit(v), f"approval_limits.{key}.{tok}") for tok, v in tokens.items()})
    denylist = raw.get("denylist", [])
    if not isinstance(denylist, list):
        raise PolicyError("denylist", "must be a list of addresses")
    require_chain = raw.get("require_chain_context", True)
    if not isinstance(require_chain, bool):
        raise PolicyError("require_chain_context", "must be true or false")
    return Policy(
        policy_id=policy_id,
        revision=_int(raw.get("revision", 0), "revision"),
        thresholds=thresholds,
        overrides=MappingProxyType({code: _override(v, f"overrides.{code}") for code, v in overrides_raw.items()}),
        known_spenders=_per_chain_addresses(raw.get("known_spenders", {}), "known_spenders"),
        delegates_7702=_per_chain_addresses(raw.get("delegates_7702", {}), "delegates_7702"),
        known_contracts=_per_chain_addresses(raw.get("known_contracts", {}), "known_contracts"),
        denylist=frozenset(_address(a, f"denylist[{i}]") for i, a in enumerate(denylist)),
        approval_limits=MappingProxyType(limits),
        max_permit_lifetime_s=_int(raw.get("max_permit_lifetime_s", DEFAULT_MAX_PERMIT_LIFETIME_S), "max_permit_lifetime_s", 1),
        require_chain_context=require_chain,
    )


def _limit(value: Any) -> Any:
    """Limits may be written as decimal strings: TOML and JSON integers stop at 2^63 / 2^53."""
    return int(value) if isinstance(value, str) and value.isdigit() else value
