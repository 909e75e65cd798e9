"""The one catalogue of finding codes: every code any tier can emit, its severity and what it means.

It lives here, at the bottom of the dependency graph, so the policy model can check that an
override names a real code without importing the tiers; `dmind.edge.findings` makes findings
from it (`finding()`), and the local and cloud tiers' codes are listed here beside the edge's.
"""

from __future__ import annotations

from .vocabulary import Severity

SEVERITY_WEIGHTS: dict[Severity, float] = {
    Severity.INFO: 0.0,
    Severity.LOW: 0.1,
    Severity.MEDIUM: 0.35,
    Severity.HIGH: 0.6,
    Severity.CRITICAL: 0.95,
}

# code -> (severity, what it means). The message of each finding says it about this payload.
_TABLE: dict[str, tuple[str, str]] = {
    # encodings the parser accepted but had to interpret
    "HEX_NO_PREFIX": ("low", "a hex value came without its 0x prefix"),
    "HEX_UPPERCASE": ("info", "a hex value used upper-case digits"),
    "HEX_ODD_LENGTH": ("medium", "byte data had an odd number of hex digits and was left-padded"),
    "QUANTITY_AMBIGUOUS": ("medium", "a quantity without 0x reads differently as decimal and as hex"),
    "QUANTITY_JSON_NUMBER": ("low", "a quantity came as a JSON number, not a hex string"),
    "QUANTITY_LEADING_ZEROS": ("low", "a hex quantity had leading zeros"),
    "TYPED_DATA_DOMAIN_NONCANONICAL": ("medium", "the EIP-712 domain used a non-canonical value that was normalized"),
    "PARAMS_ORDER_LEGACY": ("info", "personal_sign parameters came in the legacy (address, message) order"),
    "HEX_PREFIX_UPPERCASE": (
        "medium",
        "a hex value came with an upper-case 0X prefix, which some wallets read as text",
    ),
    "TYPED_DATA_VALUE_NONCANONICAL": ("medium", "a typed-data value was written in a form wallets read differently"),
    "ADDRESS_CHECKSUM_MISMATCH": ("high", "an address whose mixed case fails its EIP-55 checksum: a typo or a forgery"),
    "TX_FIELD_UNKNOWN": ("medium", "the transaction object has a field this gate does not know"),
    "CALLDATA_TRAILING_BYTES": ("medium", "calldata carries bytes beyond its function's ABI encoding"),
    # the user's stated intent
    "INTENT_MISMATCH": ("high", "the payload does not do what the user asked for"),
    "INTENT_UNREADABLE": ("medium", "the stated intent could not be read, so the payload was not checked against it"),
    "INTENT_MODEL_UNAVAILABLE": ("low", "the user's words came without a model to read them"),
    # context
    "POLICY_UNSIGNED": ("low", "the policy came from an unsigned file, fit for development only"),
    "CHAIN_CONTEXT_MISSING": ("medium", "the request did not say which chain the wallet is on"),
    "CHAIN_ID_MISMATCH": ("critical", "the payload is for another chain than the wallet's"),
    "TX_NO_REPLAY_PROTECTION": ("high", "a legacy transaction without EIP-155 chain id can be replayed on any chain"),
    "SIGNER_MISMATCH": ("critical", "the signer of the payload is not the wallet's account"),
    "SIGNER_UNKNOWN": ("medium", "the signing account is unknown, so recipients cannot be checked"),
    # decoding
    "CALLDATA_UNDECODED": ("medium", "calldata the decoder could not interpret"),
    "CALLDATA_MALFORMED": ("high", "calldata that does not match its function's ABI"),
    "CALL_NESTING_EXCEEDED": ("high", "nested calls past the decoding bound were not inspected"),
    "CONTRACT_CREATION": ("medium", "the transaction deploys a contract"),
    "CALL_BATCH_EMPTY": ("medium", "a batch call that makes no calls: whatever it carries just goes to the contract"),
    "UR_COMMAND_UNKNOWN": ("high", "a Universal Router command this gate does not know"),
    "TYPED_DATA_NO_CHAIN_ID": (
        "medium",
        "typed data whose domain names no chain, so its signature is valid on every chain",
    ),
    "TYPED_DATA_UNUSED_TYPES": ("medium", "typed data defines types its primary type never uses"),
    "TYPED_DATA_UNKNOWN_SCHEMA": ("low", "typed data of no known schema; every field is shown"),
    "MESSAGE_NOT_TEXT": ("medium", "the message is binary, not readable text"),
    # rules
    "APPROVAL_UNLIMITED": ("high", "an unlimited token approval or permit"),
    "PERMIT_NO_DEADLINE": ("medium", "a permit that never expires"),
    "PERMIT_DEADLINE_FAR": ("medium", "a permit that stays valid far into the future"),
    "APPROVAL_FOR_ALL": ("high", "an operator gets every NFT of the collection"),
    "SPENDER_UNKNOWN": ("medium", "the spender is not in the policy's known-spender list"),
    "SWAP_RECIPIENT_NOT_SIGNER": ("high", "swap output goes to an address other than the signer"),
    "ROUTER_TRANSFER_TO_THIRD_PARTY": ("high", "a router command moves the signer's assets to someone else"),
    "ROUTER_OUTPUT_STRANDED": ("high", "a router plan leaves its output in the router, where anyone can take it"),
    "CONTRACT_UNVERIFIED": (
        "high",
        "a call whose meaning depends on the contract goes to one the policy does not know",
    ),
    "TRANSFER_RECIPIENT_NOT_SIGNER": ("info", "assets go to an address other than the signer"),
    "NFT_ORDER_NOTHING_BACK": ("critical", "a marketplace order where the signer receives nothing back"),
    "NFT_ORDER_PAYS_OTHERS": ("high", "a marketplace order that pays others at least as much as the signer"),
    "NFT_ORDER_PRICE_DUST": ("high", "a marketplace order that sells items for a dust price"),
    "NFT_ORDER_VALUE_UNKNOWN": ("medium", "a marketplace order paid back only in things the gate cannot value"),
    "DELEGATE_UNKNOWN": ("critical", "an EIP-7702 delegation to a contract not in the policy's allowlist"),
    "DELEGATE_REVOKE": ("info", "an EIP-7702 authorization that clears the account's delegation"),
    "DELEGATION_ANY_CHAIN": ("high", "an EIP-7702 authorization valid on every chain (chain id 0)"),
    "BLIND_SIGNATURE": ("critical", "eth_sign of a raw 32-byte hash: the wallet cannot know what it signs"),
    "VALUE_TO_UNKNOWN_SELECTOR": ("high", "native value sent with calldata the gate cannot interpret"),
    "OWNERSHIP_TRANSFER": ("high", "contract ownership changes hands or is renounced"),
    "PROXY_UPGRADE": ("high", "a proxy contract's implementation or admin changes"),
    "SAFE_DELEGATECALL": ("high", "a Safe transaction runs code by DELEGATECALL in the Safe's context"),
    "ADDRESS_DENYLISTED": ("critical", "an address on the policy's denylist"),
    "SIWE_DOMAIN_MISMATCH": ("critical", "a Sign-In with Ethereum message for another domain than the requesting site"),
    "SIWE_ORIGIN_UNKNOWN": (
        "high",
        "a Sign-In with Ethereum message with no requesting site to compare its domain with",
    ),
    "ADDRESS_LOOKALIKE": ("critical", "a counterparty that imitates an address the wallet knows: address poisoning"),
    "RECIPIENT_NEW": ("medium", "a first send to an address the wallet has not used"),
    # the local tier (paired desktop verifier): its escalation outcomes and its own private-context rules
    "LOCAL_UNREACHABLE": ("high", "the paired local verifier could not be reached in time"),
    "LOCAL_REFUSED": ("high", "the local verifier refused the request"),
    "LOCAL_VERDICT_INVALID": ("high", "the local verifier's answer did not verify"),
    "LOCAL_BLOCKED": ("critical", "the local verifier blocked this payload with your private context"),
    "LOCAL_VERIFIED": ("info", "the local verifier allowed this payload with your private context"),
    "USER_DENYLISTED": ("critical", "a counterparty on the user's own deny list"),
    "ADDRESS_POISONING": ("critical", "a counterparty that imitates an address the user has used"),
    "SPENDER_NEVER_USED": ("high", "an approval to a spender the user has never used"),
    "EXPOSURE_OVER_LIMIT": ("high", "more of a token than the user's exposure limit allows"),
    "FIRST_INTERACTION": ("medium", "the first interaction with this counterparty"),
    "CROSS_TIER_DIVERGENCE": ("high", "the edge and the verifier read the payload differently"),
    "PAYLOAD_UNREADABLE": ("high", "the verifier cannot read this payload well enough to vouch for it"),
    # the optional cloud tier: advice adds caution, never permission
    "CLOUD_UNAVAILABLE": ("info", "no cloud advice was available"),
    "CLOUD_CAUTION": ("medium", "the cloud endpoint advises caution"),
}
# Read through `Severity` so a misspelt severity in the table fails at import, not in a rule.
CATALOG: dict[str, tuple[Severity, str]] = {code: (Severity(sev), text) for code, (sev, text) in _TABLE.items()}

# Codes that mean the gate had to pick one of several readings of the bytes, or met a field it
# cannot interpret: never ALLOW, whatever the weights and the policy's overrides say.
FAIL_CLOSED: frozenset[str] = frozenset(
    {
        "QUANTITY_AMBIGUOUS",
        "HEX_ODD_LENGTH",
        "HEX_PREFIX_UPPERCASE",
        "TYPED_DATA_VALUE_NONCANONICAL",
        "TYPED_DATA_DOMAIN_NONCANONICAL",
        "ADDRESS_CHECKSUM_MISMATCH",
        "TX_FIELD_UNKNOWN",
        "CALLDATA_TRAILING_BYTES",
    }
)
