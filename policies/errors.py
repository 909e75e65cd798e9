"""The one exception root: every refusal carries a stable `code`, a sentence and where.

A boundary (CLI verb, host API, daemon, device) catches `DmindError` once and reports
`code: message`; the code is what wallets, tests and dashboards match on. The tree:

    DmindError                     code, message, where
    ├── InputError (ValueError)    bytes or text refused
    │   ├── EdgeError              the gate's codes, each with the verdict it fails closed to (edge/errors.py)
    │   ├── PolicyError            a policy that does not validate (policies/model.py)
    │   ├── CborError              not the deterministic CBOR we sign (policies/cbor_strict.py)
    │   ├── CoseError              a COSE_Sign1 refused (policies/cose.py)
    │   ├── BundleError            a policy bundle refused (policies/bundle.py)
    │   ├── VerdictError           a local verdict that does not authorize this signature (edge/verdict.py)
    │   ├── HostApiError           a host API request refused (edge/host_api.py)
    │   ├── CallError              a nano call that breaks its tool's schema (edge/nano/tools.py)
    │   ├── ProtocolError          an edge ↔ local message refused, with its HTTP status (edge/local_protocol.py)
    │   │   └── PairingError       a pairing offer, certificate or pairing file refused
    │   ├── StoreError             a context-store operation refused (local_tier/store.py)
    │   ├── AdviceError            a cloud answer that is not valid advice (cloud_client/advice.py)
    │   ├── FramingError           a device packet refused (firmware_bridge/framing.py)
    │   ├── MessageError           a device message refused (firmware_bridge/messages.py)
    │   └── URError                a UR string refused (firmware_bridge/ur.py)
    ├── DeviceError                a device call that failed (firmware_bridge/client.py)
    │   ├── DeviceTimeout          no answer in time
    │   └── DeviceFailure          the device answered Failure
    ├── NanoError                  a model file, extra or backend missing (edge/nano/errors.py)
    │   └── ReaderUnavailable      the gate's reader of the user's words cannot run here
    └── ExportError                an export toolchain step failed (export/pipeline.py)

Decoders raise their own small exceptions inside (`AbiDecodeError`, `BudgetExceeded`); those
never leave the edge: they become findings.
"""

from __future__ import annotations


class DmindError(Exception):
    """Something refused or failed, with a stable `code`, a human `message` and, where known, `where`."""

    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.where = where

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class InputError(DmindError, ValueError):
    """Input refused: bytes or text that do not validate."""
