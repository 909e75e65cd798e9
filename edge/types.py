"""The core types of one request's path through the edge: Request -> Payload -> Intent -> Decision.

All are frozen dataclasses. Addresses are EIP-55 strings, integers are Python ints, raw
bytes are `bytes`; `render.py` turns them into the CLI's JSON and `wire.py` into CBOR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping

from dmind.policies.chains import caip2
from dmind.policies.messages import Message
from dmind.policies.vocabulary import Lang, Plan, Severity, Verdict  # re-exported: the words every tier shares

from .findings import Finding  # re-exported: a core type
from .solana.wire import Message as SolanaMessage

__all__ = [
    "Action",
    "Authorization",
    "Call",
    "Command",
    "Decision",
    "DigestKind",
    "Finding",
    "Intent",
    "Payload",
    "PayloadKind",
    "Plan",
    "RawCall",
    "Request",
    "Severity",
    "Transaction",
    "TypedData",
    "TypedIntent",
    "Verdict",
]


class PayloadKind(StrEnum):
    """What shape of thing will be signed."""

    TRANSACTION = "transaction"
    TYPED_DATA = "typed_data"
    MESSAGE = "message"
    RAW_HASH = "raw_hash"
    BATCH = "batch"


class DigestKind(StrEnum):
    """How `Payload.digest` was computed from `Payload.signing_bytes`."""

    TX_SIGNING_HASH = "tx_signing_hash"  # keccak of the unsigned transaction (EIP-155 / EIP-2718)
    EIP712 = "eip712"
    EIP191 = "eip191"
    RAW_HASH = "raw_hash"  # eth_sign: the 32 bytes are the digest
    REQUEST = "request"  # keccak of the canonical request: binds every field of an unsigned tx object or batch
    SOLANA_MESSAGE = "solana_message"  # sha256 of the Solana message bytes (of their digests in order, for several)


class Action(StrEnum):
    """What a call, a command or typed data does; the decoder tables name one per entry."""

    NATIVE_TRANSFER = "native_transfer"
    CONTRACT_CALL = "contract_call"
    CONTRACT_CREATION = "contract_creation"
    TRANSFER = "transfer"
    APPROVE = "approve"
    REVOKE = "revoke"
    SET_APPROVAL_FOR_ALL = "set_approval_for_all"
    PERMIT = "permit"
    PERMIT2 = "permit2"
    SWAP = "swap"
    WRAP = "wrap"
    UNWRAP = "unwrap"
    CHECK = "check"  # a Universal Router assertion that moves nothing
    BATCH = "batch"
    SAFE_TRANSACTION = "safe_transaction"
    OWNERSHIP_TRANSFER = "ownership_transfer"
    PROXY_UPGRADE = "proxy_upgrade"
    NFT_ORDER = "nft_order"
    DELEGATE_7702 = "delegate_7702"
    SIGN_MESSAGE = "sign_message"
    SIGN_TYPED_DATA = "sign_typed_data"
    BLIND_SIGNATURE = "blind_signature"
    # Solana instructions
    CREATE_ACCOUNT = "create_account"
    ASSIGN = "assign"  # hands an account to another program
    ALLOCATE = "allocate"
    ADVANCE_NONCE = "advance_nonce"
    SET_AUTHORITY = "set_authority"
    CLOSE_ACCOUNT = "close_account"
    MINT = "mint"
    BURN = "burn"
    SETTINGS = "settings"  # compute budget, memos, account set-up: moves nothing


@dataclass(frozen=True, slots=True)
class Request:
    """An EIP-1193 or WalletConnect Solana request plus the wallet's context.

    `chain_id` is the EVM chain (`eip155:<chain_id>`); `network` the CAIP-2 id of a chain outside
    eip155 (`solana:5eykt4Us…`). At most one of them is set.
    """

    method: str
    params: tuple[Any, ...]
    chain_id: int | None = None
    account: str | None = None
    origin: str | None = None
    stated_intent: Any = None
    id: Any = None
    known_addresses: tuple[str, ...] | None = (
        None  # the wallet's address book and recent counterparties; None: not said
    )
    network: str | None = None
    # Solana: what the address-lookup tables the wallet read on chain hold (table -> addresses); None: not said
    lookup_tables: Mapping[str, tuple[str, ...]] | None = None

    @property
    def caip2(self) -> str | None:
        """The chain as a CAIP-2 id, where the request says."""
        return caip2(self.chain_id, self.network)


@dataclass(frozen=True, slots=True)
class Authorization:
    """One EIP-7702 authorization tuple; `authority` is recovered from its signature."""

    chain_id: int
    address: str
    nonce: int
    authority: str | None


@dataclass(frozen=True, slots=True)
class Transaction:
    type: int
    chain_id: int | None
    nonce: int | None
    gas_limit: int | None
    to: str | None
    value: int
    data: bytes
    fees: dict[str, int] = field(default_factory=dict)
    access_list: tuple[tuple[str, tuple[bytes, ...]], ...] = ()
    authorizations: tuple[Authorization, ...] = ()
    blob_versioned_hashes: tuple[bytes, ...] = ()
    sender: str | None = None
    tx_hash: bytes | None = None
    signed: bool = False
    network_form: bool = False


@dataclass(frozen=True, slots=True)
class TypedData:
    """A validated EIP-712 request: domain and message normalized, types as given."""

    primary_type: str
    types: dict[str, tuple[tuple[str, str], ...]]
    domain: dict[str, Any]
    message: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RawCall:
    """One call a payload makes at top level: a transaction's, or each of a batch's."""

    to: str | None
    value: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Payload:
    """What will be signed: the exact bytes, their digest, and the fields decoded from them."""

    kind: PayloadKind
    method: str
    chain_id: int | None
    signer: str | None
    signing_bytes: bytes
    digest: bytes
    digest_kind: DigestKind
    calls: tuple[RawCall, ...] = ()
    tx: Transaction | None = None
    typed_data: TypedData | None = None
    message: bytes | None = None
    notes: tuple[Finding, ...] = ()
    # a transaction object that cannot be encoded as signed: the fields it lacks, then those nobody can encode
    unsignable: tuple[str, ...] = ()
    solana: tuple[SolanaMessage, ...] = ()  # the Solana messages signed, in order
    network: str | None = None  # the request's CAIP-2 chain outside eip155 (a Solana cluster), where it names one

    @property
    def caip2(self) -> str | None:
        """The chain the payload is for as a CAIP-2 id, where the bytes or the request say."""
        return caip2(self.chain_id, self.network)


@dataclass(frozen=True, slots=True)
class Command:
    """One Universal Router command with its decoded inputs."""

    name: str
    args: dict[str, Any]
    allow_revert: bool = False
    commands: tuple["Command", ...] = ()
    calls: tuple["Call", ...] = ()
    action: Action = Action.CONTRACT_CALL
    roles: dict[str, Any] = field(default_factory=dict)
    where: str = ""


@dataclass(frozen=True, slots=True)
class Call:
    """One decoded call; `roles` names the values rules care about (spender, recipient, ...)."""

    to: str | None
    value: int
    data: bytes
    action: Action
    selector: bytes | None = None
    function: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    roles: dict[str, Any] = field(default_factory=dict)
    commands: tuple[Command, ...] = ()
    calls: tuple["Call", ...] = ()
    label: str | None = None
    source: str | None = None  # builtin | erc7730 | None when not decoded
    standard: str | None = None  # the registry's family (erc20, universal_router, weth, ...)
    confidence: float = 1.0
    where: str = "calls[0]"


@dataclass(frozen=True, slots=True)
class TypedIntent:
    """What a piece of typed data means: its schema and the values rules care about."""

    schema: str | None
    action: Action
    roles: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Intent:
    action: Action
    calls: tuple[Call, ...]
    typed: TypedIntent | None
    confidence: float
    notes: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    risk: float
    confidence: float
    findings: tuple[Finding, ...]
    explanation: str  # in English; `reason` writes it in another language
    digest: bytes | None = None
    payload: Payload | None = None
    intent: Intent | None = None
    error: tuple[str, str] | None = None
    policy_id: str | None = None
    policy_revision: int | None = None
    plan: Plan = Plan.EDGE_ONLY
    timings_us: dict[str, int] = field(default_factory=dict)
    request_id: Any = None
    verdict_token: bytes | None = None  # the local verifier's signed verdict, when it decided
    route: dict[str, Any] | None = None  # the routing plane's plan, reason, exclusions and signal provenance
    reason: Message | None = None  # the explanation unwritten (`dmind.policies.messages`)

    def explain(self, lang: Lang = Lang.EN) -> str:
        """The one-line explanation in `lang`."""
        return self.reason.text(lang) if self.reason is not None else self.explanation
