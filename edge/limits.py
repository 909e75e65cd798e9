"""Size and depth limits: input past any of these is refused, not processed slowly.

The numbers are documented in the README; change them here only.
"""

# One request as JSON text (a blob transaction in network form with six blobs is ~1.6 MB as hex).
MAX_REQUEST_JSON_BYTES = 4 * 1024 * 1024
# Raw transaction bytes, network form with blob sidecar included.
MAX_RAW_TX_BYTES = 1536 * 1024
# Calldata of one transaction or call.
MAX_CALLDATA_BYTES = 256 * 1024
# Lists inside one transaction (a node takes far more; a wallet request needs far fewer).
MAX_AUTHORIZATIONS = 64
MAX_ACCESS_LIST_ENTRIES = 256
MAX_ACCESS_LIST_KEYS = 2048
# Nested call decoding (multicall, Safe, multiSend, Universal Router sub-plans).
MAX_CALL_DEPTH = 6
MAX_DECODED_CALLDATA_BYTES = 512 * 1024
MAX_CALLS_TOTAL = 256
# ABI values. The decoded-bytes budget counts every byte string the decoder produces, so offsets
# that alias one blob cannot multiply it.
MAX_ABI_ARRAY_LENGTH = 1024
MAX_ABI_DECODED_BYTES = 1024 * 1024
# EIP-712.
MAX_TYPED_DATA_TYPES = 64
MAX_TYPED_DATA_FIELDS = 256
MAX_TYPED_DATA_DEPTH = 16
MAX_TYPED_DATA_VALUES = 20_000
MAX_TYPED_DATA_NAME_CHARS = 256  # one type or field name, array suffixes included
MAX_TYPED_DATA_ARRAY_DIMENSIONS = 8
# Messages and batches.
MAX_MESSAGE_BYTES = 64 * 1024
MAX_BATCH_CALLS = 64
MAX_SOLANA_TRANSACTIONS = 64  # solana_signAllTransactions
# The wallet's known addresses (address book and recent counterparties) sent with a request.
MAX_KNOWN_ADDRESSES = 512
MAX_LOOKUP_TABLES = 32  # address-lookup tables a request may describe (a v0 transaction names a few)
MAX_LOOKUP_ADDRESSES = 256  # entries of one table given (an on-chain table holds at most 256)
