"""The policy the gate enforces: thresholds, finding overrides and facts the edge cannot see.

Independent of any file format: `policy_from_dict` validates a plain mapping (from TOML,
JSON or a signed CBOR bundle) and names the offending field in every error;
`policy_to_dict` is its exact inverse, the canonical form that bundles carry. Addresses are
stored lower-case; per-chain facts are keyed by integer chain id.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from .catalogue import CATALOG
from .errors import InputError
from .vocabulary import Plan, Severity, Verdict

IGNORE = "IGNORE"  # an override's third choice beside the two verdicts: drop the finding
OVERRIDE_VERDICTS = (Verdict.BLOCK, Verdict.STEP_UP, IGNORE)
SEVERITIES = tuple(Severity)
PRIVACY_PROFILES = ("default", "strict", "user-override")
# What a sanitized projection for the optional cloud tier may carry (cloud_client applies it).
DISCLOSABLE_FIELDS = (
    "chain_id",
    "method",
    "action",
    "contract",
    "selector",
    "function",
    "token",
    "spender",
    "amount_bucket",
    "origin_host",
    "typed_data_schema",
    "counterparty_bucket",
)
PLANS = tuple(plan.budget_key for plan in Plan)  # the keys of routing.latency_budget_ms
DEFAULT_MAX_PERMIT_LIFETIME_S = 30 * 24 * 3600
# How long a verifier may wait for the user: requests live at most 120 s (`local_protocol.MAX_REQUEST_TTL_S`),
# and 30 s of that stay for the verification itself and the way back.
MAX_USER_DECIDES_S = 90
UINT64_MAX = 2**64 - 1  # integers of the policy travel as CBOR uints, which stop here
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also accepts "²" and "１"
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
_EMPTY: Mapping = MappingProxyType({})


class PolicyError(InputError):
    """A policy that does not validate; `field` (and `where`) names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__("POLICY_INVALID", f"{field_name}: {message}", where=field_name)
        self.field = field_name


@dataclass(frozen=True, slots=True)
class Thresholds:
    tau_conf: float = 0.8  # below this confidence γ: STEP_UP
    tau_risk: float = 0.3  # at or above this risk ρ: STEP_UP
    tau_block: float = 0.8  # at or above this risk ρ: BLOCK


@dataclass(frozen=True, slots=True)
class FindingOverride:
    severity: Severity | None = None
    weight: float | None = None
    verdict: str | None = None  # Verdict.BLOCK | Verdict.STEP_UP | IGNORE


@dataclass(frozen=True, slots=True)
class Privacy:
    """Which cloud privacy profile is active, and what each profile may disclose."""

    profile: str = "strict"
    disclose: Mapping[str, frozenset[str]] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class Routing:
    """Whether the cloud tier may be asked at all, and the latency budget of each plan."""

    cloud_allowed: bool = False
    latency_budget_ms: Mapping[str, int] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class StepUp:
    """What resolves a STEP_UP: a signed verdict from the paired local verifier, the device user.

    `user_decides_s` > 0 lets the verifier hold a request it would block on your private context
    alone (never a critical finding) for that long, waiting for your approve or deny on its console.
    """

    require_local_verdict: bool = True
    allow_device_confirmation: bool = True
    local_timeout_ms: int = 3000
    user_decides_s: int = 0


@dataclass(frozen=True, slots=True)
class Policy:
    policy_id: str = "builtin-default"
    revision: int = 0
    thresholds: Thresholds = field(default_factory=Thresholds)
    overrides: Mapping[str, FindingOverride] = field(default_factory=lambda: _EMPTY)
    known_spenders: Mapping[int, frozenset[str]] = field(default_factory=lambda: _EMPTY)
    known_routers: Mapping[int, frozenset[str]] = field(default_factory=lambda: _EMPTY)
    delegates_7702: Mapping[int, frozenset[str]] = field(default_factory=lambda: _EMPTY)
    known_contracts: Mapping[int, frozenset[str]] = field(default_factory=lambda: _EMPTY)
    denylist: frozenset[str] = frozenset()
    approval_limits: Mapping[int, Mapping[str, int]] = field(default_factory=lambda: _EMPTY)
    max_permit_lifetime_s: int = DEFAULT_MAX_PERMIT_LIFETIME_S
    require_chain_context: bool = True
    privacy: Privacy = field(default_factory=Privacy)
    routing: Routing = field(default_factory=Routing)
    step_up: StepUp = field(default_factory=StepUp)

    def known_spender(self, chain_id: int | None, address: str) -> bool:
        """A spender the policy trusts: a known spender or a known router on that chain."""
        if chain_id is None:
            return False
        address = address.lower()
        return address in self.known_spenders.get(chain_id, frozenset()) or address in self.known_routers.get(
            chain_id, frozenset()
        )

    def known_contract(self, chain_id: int | None, address: str) -> bool:
        """Any contract the policy names on that chain: spender, router or reviewed contract."""
        return self.known_spender(chain_id, address) or (
            chain_id is not None and address.lower() in self.known_contracts.get(chain_id, frozenset())
        )

    def allowed_delegate(self, chain_id: int | None, address: str) -> bool:
        return chain_id is not None and address.lower() in self.delegates_7702.get(chain_id, frozenset())

    def denied(self, address: str) -> bool:
        return address.lower() in self.denylist

    def approval_limit(self, chain_id: int | None, token: str) -> int | None:
        if chain_id is None:
            return None
        return self.approval_limits.get(chain_id, {}).get(token.lower())


# --- validation -------------------------------------------------------------------------


def _table(raw: Any, name: str, allowed: set[str] | None = None) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise PolicyError(name, "must be a table")
    if allowed is not None:
        unknown = sorted(str(k) for k in set(raw) - allowed)
        if unknown:
            raise PolicyError(f"{name}.{unknown[0]}" if name != "policy" else unknown[0], "is not a known field")
    return raw


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise PolicyError(name, f"must be a number in [{low}, {high}], got {value!r}")
    return float(value) + 0.0  # + 0.0 turns -0.0 into 0.0: one value, one encoding


def _int(value: Any, name: str, low: int = 0, high: int = UINT64_MAX) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PolicyError(name, f"must be an integer in [{low}, {high}], got {value!r}")
    return value


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(name, "must be true or false")
    return value


def _address(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise PolicyError(name, f"must be a 0x-prefixed 20-byte hex address, got {value!r}")
    return value.lower()


def _chain_key(key: Any, name: str) -> int:
    text = str(key)
    if not _DIGITS.fullmatch(text) or len(text) > 20 or (len(text) > 1 and text[0] == "0") or int(text) > UINT64_MAX:
        raise PolicyError(name, f"chain ids must be decimal integers below 2^64, got {key!r}")
    return int(text)


def _address_list(raw: Any, name: str) -> frozenset[str]:
    if not isinstance(raw, list):
        raise PolicyError(name, "must be a list of addresses")
    return frozenset(_address(a, f"{name}[{i}]") for i, a in enumerate(raw))


def _chain_keys(table: Mapping[Any, Any], name: str) -> dict[int, Any]:
    """A per-chain table keyed by chain id; two keys naming one chain ("1" and 1) are an error, not last-wins."""
    out: dict[int, Any] = {}
    for key, value in table.items():
        chain = _chain_key(key, f"{name}.{key}")
        if chain in out:
            raise PolicyError(f"{name}.{key}", f"chain {chain} is listed twice")
        out[chain] = value
    return out


def _per_chain_addresses(raw: Any, name: str) -> Mapping[int, frozenset[str]]:
    table = _chain_keys(_table(raw, name), name)
    return MappingProxyType({chain: _address_list(v, f"{name}.{chain}") for chain, v in table.items()})


def _limit(value: Any, name: str) -> int:
    # Limits may be decimal strings: TOML integers stop at 2^63, token amounts do not.
    if isinstance(value, str) and _DIGITS.fullmatch(value) and len(value) <= 78:  # 2^256 has 78 digits
        value = int(value)
    return _int(value, name, high=2**256 - 1)


def _override(raw: Any, name: str) -> FindingOverride:
    table = _table(raw, name, {"severity", "weight", "verdict"})
    severity, verdict = table.get("severity"), table.get("verdict")
    if severity is not None and severity not in SEVERITIES:
        raise PolicyError(f"{name}.severity", f"must be one of {', '.join(SEVERITIES)}")
    if verdict is not None and verdict not in OVERRIDE_VERDICTS:
        raise PolicyError(f"{name}.verdict", f"must be one of {', '.join(OVERRIDE_VERDICTS)}")
    weight = _number(table["weight"], f"{name}.weight", 0.0, 1.0) if "weight" in table else None
    return FindingOverride(None if severity is None else Severity(severity), weight, verdict)


def _overrides(raw: Any) -> Mapping[str, FindingOverride]:
    table = _table(raw, "overrides")
    for code in table:
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise PolicyError(f"overrides.{code}", "finding codes are upper-case identifiers")
        if code not in CATALOG:
            near = difflib.get_close_matches(code, sorted(CATALOG), n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise PolicyError(
                f"overrides.{code}", f"is not a finding code any tier emits, so the override would do nothing{hint}"
            )
    return MappingProxyType({code: _override(v, f"overrides.{code}") for code, v in table.items()})


def _thresholds(raw: Any) -> Thresholds:
    table = _table(raw, "thresholds", {"tau_conf", "tau_risk", "tau_block"})
    d = Thresholds()
    t = Thresholds(
        *(
            _number(table.get(k, getattr(d, k)), f"thresholds.{k}", 0.0, 1.0)
            for k in ("tau_conf", "tau_risk", "tau_block")
        )
    )
    if t.tau_block < t.tau_risk:
        raise PolicyError("thresholds.tau_block", "must not be below tau_risk")
    return t


def _approval_limits(raw: Any) -> Mapping[int, Mapping[str, int]]:
    table = _chain_keys(_table(raw, "approval_limits"), "approval_limits")
    out = {}
    for key, tokens in table.items():
        name = f"approval_limits.{key}"
        limits: dict[str, int] = {}
        for tok, value in _table(tokens, name).items():
            address = _address(tok, f"{name}.{tok}")
            if address in limits:
                raise PolicyError(f"{name}.{tok}", "the same token is listed twice (addresses are case-insensitive)")
            limits[address] = _limit(value, f"{name}.{tok}")
        out[key] = MappingProxyType(limits)
    return MappingProxyType(out)


def _privacy(raw: Any) -> Privacy:
    table = _table(raw, "privacy", {"profile", "disclose"})
    profile = table.get("profile", Privacy.__dataclass_fields__["profile"].default)
    if profile not in PRIVACY_PROFILES:
        raise PolicyError("privacy.profile", f"must be one of {', '.join(PRIVACY_PROFILES)}")
    disclose = {}
    for name, fields in _table(table.get("disclose", {}), "privacy.disclose", set(PRIVACY_PROFILES)).items():
        where = f"privacy.disclose.{name}"
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise PolicyError(where, "must be a list of field names")
        unknown = sorted(set(fields) - set(DISCLOSABLE_FIELDS))
        if unknown:
            raise PolicyError(where, f"{unknown[0]!r} is not a disclosable field ({', '.join(DISCLOSABLE_FIELDS)})")
        disclose[name] = frozenset(fields)
    return Privacy(profile, MappingProxyType(disclose))


def _routing(raw: Any) -> Routing:
    table = _table(raw, "routing", {"cloud_allowed", "latency_budget_ms"})
    budgets = _table(table.get("latency_budget_ms", {}), "routing.latency_budget_ms", set(PLANS))
    return Routing(
        _bool(table.get("cloud_allowed", False), "routing.cloud_allowed"),
        MappingProxyType({plan: _int(v, f"routing.latency_budget_ms.{plan}", 1) for plan, v in budgets.items()}),
    )


def _step_up(raw: Any) -> StepUp:
    table = _table(
        raw, "step_up", {"require_local_verdict", "allow_device_confirmation", "local_timeout_ms", "user_decides_s"}
    )
    d = StepUp()
    return StepUp(
        _bool(table.get("require_local_verdict", d.require_local_verdict), "step_up.require_local_verdict"),
        _bool(table.get("allow_device_confirmation", d.allow_device_confirmation), "step_up.allow_device_confirmation"),
        _int(table.get("local_timeout_ms", d.local_timeout_ms), "step_up.local_timeout_ms", 1),
        _int(table.get("user_decides_s", d.user_decides_s), "step_up.user_decides_s", 0, MAX_USER_DECIDES_S),
    )


_FIELDS = {
    "policy_id",
    "revision",
    "thresholds",
    "overrides",
    "known_spenders",
    "known_routers",
    "delegates_7702",
    "known_contracts",
    "denylist",
    "approval_limits",
    "max_permit_lifetime_s",
    "require_chain_context",
    "privacy",
    "routing",
    "step_up",
}


def policy_from_dict(raw: Mapping[str, Any]) -> Policy:
    """Validate a plain mapping into a Policy; unknown keys are errors, not ignored."""
    raw = _table(raw, "policy", _FIELDS)
    policy_id = raw.get("policy_id", "unnamed")
    if not isinstance(policy_id, str) or not policy_id:
        raise PolicyError("policy_id", "must be a non-empty string")
    return Policy(
        policy_id=policy_id,
        revision=_int(raw.get("revision", 0), "revision"),
        thresholds=_thresholds(raw.get("thresholds", {})),
        overrides=_overrides(raw.get("overrides", {})),
        known_spenders=_per_chain_addresses(raw.get("known_spenders", {}), "known_spenders"),
        known_routers=_per_chain_addresses(raw.get("known_routers", {}), "known_routers"),
        delegates_7702=_per_chain_addresses(raw.get("delegates_7702", {}), "delegates_7702"),
        known_contracts=_per_chain_addresses(raw.get("known_contracts", {}), "known_contracts"),
        denylist=_address_list(raw.get("denylist", []), "denylist"),
        approval_limits=_approval_limits(raw.get("approval_limits", {})),
        max_permit_lifetime_s=_int(
            raw.get("max_permit_lifetime_s", DEFAULT_MAX_PERMIT_LIFETIME_S), "max_permit_lifetime_s", 1
        ),
        require_chain_context=_bool(raw.get("require_chain_context", True), "require_chain_context"),
        privacy=_privacy(raw.get("privacy", {})),
        routing=_routing(raw.get("routing", {})),
        step_up=_step_up(raw.get("step_up", {})),
    )


# --- canonical form ---------------------------------------------------------------------


def _chains(table: Mapping[int, frozenset[str]]) -> dict[str, list[str]]:
    return {str(chain): sorted(addresses) for chain, addresses in sorted(table.items())}


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """The canonical plain form of a policy: `policy_from_dict(policy_to_dict(p)) == p`.

    Every field is present, sets are sorted lists, chain ids and token amounts are decimal
    strings (TOML and CBOR integers stop at 2^64; allowances do not).
    """
    return {
        "policy_id": policy.policy_id,
        "revision": policy.revision,
        "thresholds": {
            "tau_conf": policy.thresholds.tau_conf,
            "tau_risk": policy.thresholds.tau_risk,
            "tau_block": policy.thresholds.tau_block,
        },
        "overrides": {
            code: {
                k: v
                for k, v in (("severity", o.severity), ("weight", o.weight), ("verdict", o.verdict))
                if v is not None
            }
            for code, o in sorted(policy.overrides.items())
        },
        "known_spenders": _chains(policy.known_spenders),
        "known_routers": _chains(policy.known_routers),
        "delegates_7702": _chains(policy.delegates_7702),
        "known_contracts": _chains(policy.known_contracts),
        "denylist": sorted(policy.denylist),
        "approval_limits": {
            str(chain): {token: str(limit) for token, limit in sorted(tokens.items())}
            for chain, tokens in sorted(policy.approval_limits.items())
        },
        "max_permit_lifetime_s": policy.max_permit_lifetime_s,
        "require_chain_context": policy.require_chain_context,
        "privacy": {
            "profile": policy.privacy.profile,
            "disclose": {name: sorted(fields) for name, fields in sorted(policy.privacy.disclose.items())},
        },
        "routing": {
            "cloud_allowed": policy.routing.cloud_allowed,
            "latency_budget_ms": dict(sorted(policy.routing.latency_budget_ms.items())),
        },
        "step_up": {
            "require_local_verdict": policy.step_up.require_local_verdict,
            "allow_device_confirmation": policy.step_up.allow_device_confirmation,
            "local_timeout_ms": policy.step_up.local_timeout_ms,
            "user_decides_s": policy.step_up.user_decides_s,
        },
    }
