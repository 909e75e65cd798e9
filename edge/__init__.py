"""dmind-edge: the signing-time gate. Pure Python; imports no model runtime or web framework.

    from dmind.edge import evaluate, Request
    decision = evaluate(Request("personal_sign", ("0x68656c6c6f", "0x...")))

This module is the edge's public surface: everything the parts built on it (local verifier,
cloud client, firmware bridge, export, benches) use is named in `__all__`, as eth-account
names `Account`. Two sub-packages are public as well: `dmind.edge.nano` (the intent model's
runtime) and `dmind.edge.local_protocol` (the edge ↔ local wire format both sides import).

The verdict, pairing and escalation names need cbor2 and cryptography (compiled), so they load
on first use (PEP 562): `import dmind.edge` stays pure Python on the gate's path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dmind.policies.base58 import b58encode
from dmind.policies.errors import DmindError, InputError

from . import secp256k1
from .abi.codec import encode_call
from .cli_boundary import host_port, read_input, read_json_object
from .crypto import keccak, to_checksum
from .errors import ERROR_VERDICTS, EdgeError
from .examples import EXAMPLES_NOW, example_requests
from .findings import CATALOG, finding
from .gate import combine_risk
from .lazy import lazy_getattr
from .pipeline import evaluate, evaluate_json, failed_decision
from .readable import action_lines, decision_text
from .render import decision_json
from .requests_io import loads_strict
from .rules.approvals import grants
from .rules.context import ZERO_ADDRESS, Step, canonical_address, steps
from .rules.counterparties import looks_like
from .solana.keys import parse_pubkey
from .solana.registry import PROGRAMS as SOLANA_PROGRAMS
from .summary import comparable_reading, rule_context
from .types import (
    Action,
    Call,
    Command,
    Decision,
    DigestKind,
    Finding,
    Intent,
    Payload,
    PayloadKind,
    Plan,
    Request,
    Severity,
    Verdict,
)
from .units import UNLIMITED_FLOOR, Address, native_amount, token_amount
from .version import runtime_version

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers
    from .cli_group import default_command  # noqa: F401
    from .escalation import escalate  # noqa: F401
    from .pairing import Pairing, connect, load_pairing  # noqa: F401
    from .verdict import LocalVerdict, VerdictError, sign_verdict, verdict_request_id, verify_verdict  # noqa: F401

# name -> module that defines it, imported on first access
_LAZY = {
    "default_command": ".cli_group",  # typer
    "escalate": ".escalation",
    "Pairing": ".pairing",
    "connect": ".pairing",
    "load_pairing": ".pairing",
    "LocalVerdict": ".verdict",
    "VerdictError": ".verdict",
    "sign_verdict": ".verdict",
    "verify_verdict": ".verdict",
    "verdict_request_id": ".verdict",
}
__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    # the gate
    "evaluate",
    "evaluate_json",
    "failed_decision",
    "decision_json",
    "decision_text",
    "action_lines",
    "combine_risk",
    "comparable_reading",
    "rule_context",
    # core types and the vocabulary
    "Action",
    "Call",
    "Command",
    "Decision",
    "DigestKind",
    "Finding",
    "Intent",
    "Payload",
    "PayloadKind",
    "Plan",
    "Request",
    "Severity",
    "Step",
    "Verdict",
    # findings and errors
    "CATALOG",
    "ERROR_VERDICTS",
    "DmindError",
    "EdgeError",
    "InputError",
    "finding",
    # what rules read, for the tiers' own rules
    "UNLIMITED_FLOOR",
    # values findings show in a sentence (symbol and decimals where known)
    "Address",
    "native_amount",
    "token_amount",
    "ZERO_ADDRESS",
    "canonical_address",
    "SOLANA_PROGRAMS",
    "parse_pubkey",
    "grants",
    "looks_like",
    "steps",
    # the boundary readers
    "host_port",
    "loads_strict",
    "read_input",
    "read_json_object",
    # codecs, keys, the bundled examples
    "encode_call",
    "b58encode",
    "keccak",
    "secp256k1",
    "to_checksum",
    "runtime_version",
    "EXAMPLES_NOW",
    "example_requests",
    # the local tier, loaded on first use
    *_LAZY,
]
