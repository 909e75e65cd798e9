"""The device firmware: the gate and the key in one place, so a blocked payload never gets a signature.

`Firmware.handle` maps each request message to its response. It signs only the digest the
gate itself computed from the request, and only when the gate says ALLOW, or says STEP_UP
and either a paired local verifier's verdict for exactly that digest is attached or the
user confirms on the device. BLOCK is never signed. Everything here is pure Python except
bundle and verdict signature checks (Ed25519 through `cryptography`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.edge import (
    DigestKind,
    EdgeError,
    Payload,
    PayloadKind,
    Verdict,
    VerdictError,
    b58encode,
    decision_json,
    evaluate_json,
    loads_strict,
    secp256k1,
    verify_verdict,
)
from dmind.policies import default_policy
from dmind.policies.bundle import TrustStore, VerifiedBundle
from dmind.policies.errors import InputError
from dmind.policies.store import PolicyStore

from .keys import address_of, derive, derive_ed25519, is_solana_path
from .messages import Message, MessageError, decode_message, encode_message, message
from .ur import URError, decode_ur, encode_ur

log = logging.getLogger(__name__)
FIRMWARE = "dmind-emulator/0.1"
UR_TYPE = "dmind-msg"  # device messages as Uniform Resources, for air-gapped QR transport
SIGNABLE_DIGESTS = (DigestKind.TX_SIGNING_HASH, DigestKind.EIP712, DigestKind.EIP191)
# ERC-4527 data types: 1 legacy transaction, 2 typed data, 3 personal message, 4 typed transaction.
DATA_TYPES = {PayloadKind.TYPED_DATA: 2, PayloadKind.MESSAGE: 3}
DEFAULT_PATH = "m/44'/60'/0'/0/0"
DEVICE_ID_PATH = "m/0'"  # a key used for nothing but naming the device
KEY_CACHE = 8


def load_keys(directory: Path) -> TrustStore:
    """Every Ed25519 public key (PEM) in a directory; a missing directory pins nothing."""
    return TrustStore.from_pem_files(sorted(directory.glob("*.pub"))) if directory.is_dir() else TrustStore()


def provision(state: Path, policy_keys: list[Path], verifier_keys: list[Path]) -> None:
    """Pin policy signer and local verifier keys in a device's state directory."""
    for folder, keys in (("trust", policy_keys), ("verifiers", verifier_keys)):
        (state / folder).mkdir(parents=True, exist_ok=True)
        for key in keys:
            data = Path(key).read_bytes()
            serialization.load_pem_public_key(data)  # refuse anything that is not a key
            (state / folder / Path(key).name).write_bytes(data)


@dataclass
class Firmware:
    seed: bytes
    state: Path
    runtime_version: str
    confirm: Callable[[dict], bool] = lambda decision: False
    clock: Callable[[], float] = time.time
    debug: bool = False
    _debug_answer: bool | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.store = PolicyStore(self.state / "policy", load_keys(self.state / "trust"), self.runtime_version)
        self.verifiers = load_keys(self.state / "verifiers")
        self._keys: dict[str, tuple[int, str]] = {}
        self._solana_keys: dict[str, tuple[Ed25519PrivateKey, str]] = {}
        self._active: VerifiedBundle | None = None
        self._used_verdicts: dict[tuple[bytes, bytes], int] = {}  # (kid, request id) -> expiry
        self.device_id = self.key(DEVICE_ID_PATH)[1][2:10].lower()

    def key(self, path: str) -> tuple[int, str]:
        """(private key, address) at a derivation path; the last few paths are remembered."""
        if path not in self._keys:
            private = derive(self.seed, path).key
            if len(self._keys) >= KEY_CACHE:
                self._keys.pop(next(iter(self._keys)))
            self._keys[path] = (private, address_of(private))
        return self._keys[path]

    def solana_key(self, path: str) -> tuple[Ed25519PrivateKey, str]:
        """(Ed25519 key, base58 address) at a Solana path (SLIP-10, hardened levels only)."""
        if path not in self._solana_keys:
            private = Ed25519PrivateKey.from_private_bytes(derive_ed25519(self.seed, path))
            if len(self._solana_keys) >= KEY_CACHE:
                self._solana_keys.pop(next(iter(self._solana_keys)))
            self._solana_keys[path] = (private, b58encode(private.public_key().public_bytes_raw()))
        return self._solana_keys[path]

    def _now(self) -> int:
        return int(self.clock())

    def _policy(self):
        """The active policy: verified once after it changes, then only its window is checked."""
        now = self._now()
        if self._active is None or not self._active.info.not_before <= now < self._active.info.expires_at:
            self._active = self.store.active(now)  # raises BUNDLE_EXPIRED once the window has passed
        return (self._active.policy if self._active else default_policy()), self._active

    def handle(self, request: Message) -> Message:
        """The response to one request message; failures are Failure messages, never exceptions."""
        handler = _HANDLERS.get(request.name)
        request_id = request.get("request_id")
        if handler is None:
            return message(
                "Failure", request_id=request_id, code="UNEXPECTED_MESSAGE", message=f"{request.name} is not a request"
            )
        try:
            return handler(self, request)
        except InputError as exc:
            return message("Failure", request_id=request_id, code=exc.code, message=exc.message)
        except Exception:  # a bug must refuse, not crash the device or sign
            log.exception("device error on %s", request.name)
            return message(
                "Failure", request_id=request_id, code="DEVICE_ERROR", message="the device hit an internal error"
            )

    def handle_ur(self, text: str) -> str:
        """The air-gapped path: a request scanned from a QR code as a UR, the answer shown as one."""
        try:
            ur_type, body = decode_ur(text)
            if ur_type != UR_TYPE:
                raise URError("UR_TYPE", f"this device reads ur:{UR_TYPE}, not ur:{ur_type}")
            response = self.handle(decode_message(body))
            return encode_ur(UR_TYPE, encode_message(response))
        except InputError as exc:  # unreadable, or an answer too large for one QR code
            return encode_ur(UR_TYPE, encode_message(message("Failure", code=exc.code, message=exc.message)))

    def _info(self, _: Message) -> Message:
        policy, bundle = self._policy()
        return message(
            "Info",
            device_id=self.device_id,
            firmware=FIRMWARE,
            address=self.key(DEFAULT_PATH)[1],
            policy_id=policy.policy_id,
            policy_revision=policy.revision,
            verifiers=len(self.verifiers),
        )

    def _load_policy(self, request: Message) -> Message:
        bundle = self.store.install(request["bundle"], self._now())
        self._active = bundle
        return message("PolicyLoaded", policy_id=bundle.info.bundle_id, policy_revision=bundle.info.revision)

    def _decide(self, request: Message, account: str | None = None):
        """The gate's decision; `account` (the device's own key) replaces the request's account where given."""
        try:
            obj = loads_strict(request["request"])
        except EdgeError as exc:
            raise MessageError(exc.code, exc.message) from exc
        policy, bundle = self._policy()
        scope = bundle.info.scope if bundle else None
        if account is not None:
            return evaluate_json(obj, policy=policy, now=self._now(), scope=scope, account=account)
        return evaluate_json(obj, policy=policy, now=self._now(), scope=scope)

    def _evaluate(self, request: Message) -> Message:
        decision = self._decide(request)
        return message("Evaluation", request_id=request["request_id"], decision=decision_json(decision))

    def _sign(self, request: Message) -> Message:
        request_id = request["request_id"]
        confirmation, self._debug_answer = self._debug_answer, None  # one confirmation, for this request only
        decision = self._decide(request)  # the gate first: a blocked request costs no key derivation
        payload = decision.payload
        if decision.verdict == Verdict.BLOCK:
            return message("Failure", request_id=request_id, code="GATE_BLOCKED", message=decision.explanation)
        if payload is not None and payload.digest_kind == DigestKind.SOLANA_MESSAGE:
            return self._sign_solana(request, confirmation)
        try:
            key, address = self.key(request["derivation_path"])
        except ValueError as exc:
            return message("Failure", request_id=request_id, code="PATH_INVALID", message=str(exc))
        if request.get("address") and request["address"].lower() != address.lower():
            return message(
                "Failure",
                request_id=request_id,
                code="ADDRESS_MISMATCH",
                message=f"{request['derivation_path']} is {address}",
            )
        if payload is None or payload.digest_kind not in SIGNABLE_DIGESTS:
            return message("Failure", request_id=request_id, code="NOT_SIGNABLE", message=_not_signable(payload))
        if payload.signer is not None and payload.signer.lower() != address.lower():
            return message(
                "Failure",
                request_id=request_id,
                code="ADDRESS_MISMATCH",
                message=f"the payload is for {payload.signer}, this path is {address}",
            )
        # The host's description must agree with what the device decoded; the decoded bytes win.
        data_type = DATA_TYPES.get(payload.kind) or (1 if payload.tx is None or payload.tx.type == 0 else 4)
        if request.get("data_type") not in (None, data_type) or request.get("chain_id") not in (None, payload.chain_id):
            return message(
                "Failure",
                request_id=request_id,
                code="REQUEST_INCONSISTENT",
                message="data_type or chain_id does not match the payload",
            )
        if decision.verdict == Verdict.STEP_UP and not self._stepped_up(request, decision, address, confirmation):
            return message("Failure", request_id=request_id, code="STEP_UP_REQUIRED", message=decision.explanation)
        y_parity, r, s = secp256k1.sign_recoverable(payload.digest, key)
        return message(
            "Signature",
            request_id=request_id,
            digest=payload.digest,
            signature=r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([27 + y_parity]),
            decision=decision.verdict,
        )

    def _sign_solana(self, request: Message, confirmation: bool | None) -> Message:
        """Ed25519 over exactly the message bytes the gate decided: one 64-byte signature per message, in order.

        The gate decides again as this device's own key: the rules' "the wallet" is then the key that signs, not
        whatever account the host named (or every signer, where it named none)."""
        request_id, path = request["request_id"], request["derivation_path"]
        if not is_solana_path(path):
            return message(
                "Failure", request_id=request_id, code="PATH_INVALID", message=f"{path} is not a Solana path"
            )
        try:
            key, address = self.solana_key(path)
        except ValueError as exc:
            return message("Failure", request_id=request_id, code="PATH_INVALID", message=str(exc))
        decision = self._decide(request, account=address)
        payload = decision.payload
        if decision.verdict == Verdict.BLOCK or payload is None:
            return message("Failure", request_id=request_id, code="GATE_BLOCKED", message=decision.explanation)
        signers = [m.account_keys[: m.header.required_signatures] for m in payload.solana]
        mismatch = (request.get("address") not in (None, address)) or (payload.signer not in (None, address))
        if mismatch or any(address not in keys for keys in signers):
            return message(
                "Failure", request_id=request_id, code="ADDRESS_MISMATCH", message=f"{path} is {address}, not a signer"
            )
        if request.get("data_type") is not None or request.get("chain_id") is not None:
            return message(
                "Failure",
                request_id=request_id,
                code="REQUEST_INCONSISTENT",
                message="data_type and chain_id describe EVM payloads; a Solana request carries its own",
            )
        if decision.verdict == Verdict.STEP_UP and not self._stepped_up(request, decision, address, confirmation):
            return message("Failure", request_id=request_id, code="STEP_UP_REQUIRED", message=decision.explanation)
        signed = [m.raw for m in payload.solana] or [payload.signing_bytes]
        return message(
            "Signature",
            request_id=request_id,
            digest=payload.digest,
            signature=b"".join(key.sign(data) for data in signed),
            decision=decision.verdict,
        )

    def _stepped_up(self, request: Message, decision, address: str, confirmation: bool | None) -> bool:
        if request.get("verdict") is not None:
            now = self._now()
            verdict = verify_verdict(
                request["verdict"], decision.payload.digest, address, request["request_id"], self.verifiers, now
            )
            if verdict.verdict != Verdict.ALLOW:
                raise VerdictError("VERDICT_BLOCK", "the local verifier blocked this payload")
            self._used_verdicts = {k: exp for k, exp in self._used_verdicts.items() if exp > now}
            if (verdict.kid, verdict.request_id) in self._used_verdicts:
                raise VerdictError("VERDICT_REPLAYED", "this verdict was already used for a signature")
            self._used_verdicts[(verdict.kid, verdict.request_id)] = verdict.expires_at
            return True
        return bool(confirmation) if confirmation is not None else self.confirm(decision_json(decision))

    def _debug_confirm(self, request: Message) -> Message:
        if not self.debug:
            return message("Failure", code="DEBUG_DISABLED", message="the device was not started in debug mode")
        self._debug_answer = request["confirm"]
        return message("Success")


def _not_signable(payload: Payload | None) -> str:
    """Why the device cannot sign these bytes, naming the fields a transaction object lacks."""
    if payload is not None and payload.unsignable:
        return (
            f"the transaction cannot be signed as sent: it lacks or cannot encode {', '.join(payload.unsignable)}; "
            "the wallet fills in the missing fields (nonce, gas, fees, chainId) before asking the device"
        )
    what = payload.kind if payload is not None else "this request"
    return f"the device signs transactions, typed data and messages with a known signing hash only, not {what}"


_HANDLERS: dict[str, Callable[[Firmware, Message], Message]] = {
    "GetInfo": Firmware._info,
    "LoadPolicy": Firmware._load_policy,
    "Evaluate": Firmware._evaluate,
    "SignRequest": Firmware._sign,
    "DebugConfirm": Firmware._debug_confirm,
}
