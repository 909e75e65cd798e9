"""The policy the gate enforces: thresholds, finding overrides and facts the edge cannot see.

Independent of any file format: `policy_from_dict` validates a plain mapping (from TOML,
JSON or a signed CBOR bundle) and names the offending field in every error;
`policy_to_dict` is its exact inverse, the canonical form that bundles carry. Per-chain facts
are keyed by CAIP-2 id (`eip155:1`, `solana:5eykt4Us…`; see `chains.py` for how keys and
addresses are spelled); EVM addresses are stored lower-case, Solana addresses as they are.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from .catalogue import CATALOG
from .chains import DIGITS, UINT64_MAX, address_in, any_address, chain_key, chain_order, namespace, parse_chain
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
_SYMBOL = re.compile(r"[A-Za-z0-9$._-]{1,16}")
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
class PolicyToken:
    """A token the policy names on one chain, so amounts read in its units and a stated symbol names it."""

    address: str
    symbol: str
    decimals: int


@dataclass(frozen=True, slots=True)
class Policy:
    policy_id: str = "builtin-default"
    revision: int = 0
    thresholds: Thresholds = field(default_factory=Thresholds)
    overrides: Mapping[str, FindingOverride] = field(default_factory=lambda: _EMPTY)
    known_spenders: Mapping[str, frozenset[str]] = field(default_factory=lambda: _EMPTY)
    known_routers: Mapping[str, frozenset[str]] = field(default_factory=lambda: _EMPTY)
    delegates_7702: Mapping[str, frozenset[str]] = field(default_factory=lambda: _EMPTY)
    known_contracts: Mapping[str, frozenset[str]] = field(default_factory=lambda: _EMPTY)
    denylist: frozenset[str] = frozenset()
    approval_limits: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: _EMPTY)
    known_tokens: Mapping[str, Mapping[str, PolicyToken]] = field(default_factory=lambda: _EMPTY)
    max_permit_lifetime_s: int = DEFAULT_MAX_PERMIT_LIFETIME_S
    require_chain_context: bool = True
    privacy: Privacy = field(default_factory=Privacy)
    routing: Routing = field(default_factory=Routing)
    step_up: StepUp = field(default_factory=StepUp)

    def chains(self) -> frozenset[str]:
        """Every chain the policy states a fact for (CAIP-2 ids): a bundle's scope must cover them."""
        return frozenset().union(
            self.known_spenders,
            self.known_routers,
            self.delegates_7702,
            self.known_contracts,
            self.approval_limits,
            self.known_tokens,
        )

    # Every fact below is asked for by CAIP-2 chain id; a request that names no chain matches none of them.

    def known_spender(self, chain: str | None, address: str) -> bool:
        """A spender the policy trusts: a known spender or a known router on that chain."""
        return _listed(self.known_spenders, chain, address) or _listed(self.known_routers, chain, address)

    def known_contract(self, chain: str | None, address: str) -> bool:
        """Any contract the policy names on that chain: spender, router or reviewed contract."""
        return self.known_spender(chain, address) or _listed(self.known_contracts, chain, address)

    def allowed_delegate(self, chain: str | None, address: str) -> bool:
        return _listed(self.delegates_7702, chain, address)

    def denied(self, address: str) -> bool:
        return any_address(address) in self.denylist

    def approval_limit(self, chain: str | None, token: str) -> int | None:
        if chain is None:
            return None
        return self.approval_limits.get(chain, {}).get(address_in(namespace(chain), token) or "")

    def token(self, chain: str | None, address: str) -> PolicyToken | None:
        """The token the policy names at `address` on that chain."""
        if chain is None:
            return None
        return self.known_tokens.get(chain, {}).get(address_in(namespace(chain), address) or "")

    def tokens_by_symbol(self, chain: str | None, symbol: str) -> tuple[PolicyToken, ...]:
        """Every token the policy names `symbol` (any case) on that chain: one names it, several make it ambiguous."""
        return tuple(t for t in self.known_tokens.get(chain or "", {}).values() if t.symbol.upper() == symbol.upper())


def _listed(table: Mapping[str, frozenset[str]], chain: str | None, address: str) -> bool:
    if chain is None:
        return False
    return (address_in(namespace(chain), address) or "") in table.get(chain, frozenset())


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


_ADDRESS_FORMS = {
    "eip155": "a 0x-prefixed 20-byte hex address",
    "solana": "a base58 Solana address (32 bytes)",
    "any": "a 0x-prefixed EVM address or a base58 Solana address",
}


def _address(value: Any, name: str, chain_namespace: str) -> str:
    address = any_address(value) if chain_namespace == "any" else address_in(chain_namespace, value)
    if address is None:
        raise PolicyError(name, f"must be {_ADDRESS_FORMS[chain_namespace]}, got {value!r}")
    return address


def _chain_key(key: Any, name: str) -> str:
    chain = parse_chain(key)
    if chain is None:
        raise PolicyError(
            name,
            f"chains are EVM chain ids (decimal below 2^64, or eip155:<id>) or a Solana cluster's CAIP-2 id, got {key!r}",
        )
    return chain


def _address_list(raw: Any, name: str, chain_namespace: str) -> frozenset[str]:
    if not isinstance(raw, list):
        raise PolicyError(name, "must be a list of addresses")
    return frozenset(_address(a, f"{name}[{i}]", chain_namespace) for i, a in enumerate(raw))


def _chain_keys(table: Mapping[Any, Any], name: str) -> dict[str, Any]:
    """A per-chain table keyed by CAIP-2 id; two keys naming one chain ("1" and "eip155:1") are an error."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        chain = _chain_key(key, f"{name}.{key}")
        if chain in out:
            raise PolicyError(f"{name}.{key}", f"chain {chain} is listed twice")
        out[chain] = value
    return out


def _per_chain_addresses(raw: Any, name: str) -> Mapping[str, frozenset[str]]:
    table = _chain_keys(_table(raw, name), name)
    return MappingProxyType(
        {chain: _address_list(v, f"{name}.{chain_key(chain)}", namespace(chain)) for chain, v in table.items()}
    )


def _limit(value: Any, name: str) -> int:
    # Limits may be decimal strings: TOML integers stop at 2^63, token amounts do not.
    if isinstance(value, str) and DIGITS.fullmatch(value) and len(value) <= 78:  # 2^256 has 78 digits
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


def _per_chain_tokens(raw: Any, name: str, read: Any) -> Mapping[str, Mapping[str, Any]]:
    """A per-chain table of tokens by address, each value read by `read(value, address, field name)`."""
    out = {}
    for chain, tokens in _chain_keys(_table(raw, name), name).items():
        where = f"{name}.{chain_key(chain)}"
        found: dict[str, Any] = {}
        for tok, value in _table(tokens, where).items():
            address = _address(tok, f"{where}.{tok}", namespace(chain))
            if address in found:
                raise PolicyError(f"{where}.{tok}", "the same token is listed twice (EVM addresses ignore case)")
            found[address] = read(value, address, f"{where}.{tok}")
        out[chain] = MappingProxyType(found)
    return MappingProxyType(out)


def _known_token(raw: Any, address: str, name: str) -> PolicyToken:
    table = _table(raw, name, {"symbol", "decimals"})
    symbol = table.get("symbol")
    if not isinstance(symbol, str) or not _SYMBOL.fullmatch(symbol):
        raise PolicyError(f"{name}.symbol", "must be 1 to 16 letters, digits or $._-")
    if "decimals" not in table:
        raise PolicyError(f"{name}.decimals", "is required")
    return PolicyToken(address, symbol, _int(table["decimals"], f"{name}.decimals", 0, 36))


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
    "known_tokens",
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
        denylist=_address_list(raw.get("denylist", []), "denylist", "any"),
        approval_limits=_per_chain_tokens(
            raw.get("approval_limits", {}), "approval_limits", lambda v, _, name: _limit(v, name)
        ),
        known_tokens=_per_chain_tokens(raw.get("known_tokens", {}), "known_tokens", _known_token),
        max_permit_lifetime_s=_int(
            raw.get("max_permit_lifetime_s", DEFAULT_MAX_PERMIT_LIFETIME_S), "max_permit_lifetime_s", 1
        ),
        require_chain_context=_bool(raw.get("require_chain_context", True), "require_chain_context"),
        privacy=_privacy(raw.get("privacy", {})),
        routing=_routing(raw.get("routing", {})),
        step_up=_step_up(raw.get("step_up", {})),
    )


# --- canonical form ---------------------------------------------------------------------


def _by_chain(table: Mapping[str, Any], write: Any) -> dict[str, Any]:
    return {chain_key(chain): write(table[chain]) for chain in sorted(table, key=chain_order)}


def _chains(table: Mapping[str, frozenset[str]]) -> dict[str, list[str]]:
    return _by_chain(table, sorted)


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """The canonical plain form of a policy: `policy_from_dict(policy_to_dict(p)) == p`.

    Every field is present, sets are sorted lists, chains are written as `chains.chain_key` spells
    them, token amounts are decimal strings (TOML and CBOR integers stop at 2^64; allowances do not).
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
        "approval_limits": _by_chain(
            policy.approval_limits, lambda tokens: {token: str(limit) for token, limit in sorted(tokens.items())}
        ),
        "known_tokens": _by_chain(
            policy.known_tokens,
            lambda tokens: {a: {"symbol": t.symbol, "decimals": t.decimals} for a, t in sorted(tokens.items())},
        ),
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
