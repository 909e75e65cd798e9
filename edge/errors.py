"""One exception base with a stable code, and the verdict each code fails closed to.

Every boundary (CLI, bridge, daemon) turns an `EdgeError` into a Decision whose verdict
comes from `ERROR_VERDICTS`: `BLOCK` for input that is malformed, `STEP_UP` for input that
is well formed but not understood. Nothing here is ever `ALLOW`.
"""

from __future__ import annotations

BLOCK = "BLOCK"
STEP_UP = "STEP_UP"

# code -> verdict. Codes are stable: tests, wallets and dashboards match on them.
ERROR_VERDICTS: dict[str, str] = {
    # request envelope
    "REQUEST_INVALID_JSON": BLOCK,
    "REQUEST_INVALID": BLOCK,
    "REQUEST_TOO_LARGE": BLOCK,
    "JSON_DUPLICATE_KEY": BLOCK,
    "INPUT_UNREADABLE": BLOCK,
    "METHOD_UNSUPPORTED": STEP_UP,
    "PARAMS_INVALID": BLOCK,
    "PARAMS_AMBIGUOUS": STEP_UP,
    # hex, quantities, addresses
    "HEX_INVALID": BLOCK,
    "QUANTITY_INVALID": BLOCK,
    "ADDRESS_INVALID": BLOCK,
    "ADDRESS_CHECKSUM_INVALID": BLOCK,
    # transactions
    "RLP_INVALID": BLOCK,
    "TX_TYPE_UNSUPPORTED": STEP_UP,
    "TX_FIELD_COUNT": BLOCK,
    "TX_FIELD_INVALID": BLOCK,
    "TX_INTEGER_RANGE": BLOCK,
    "TX_SIGNATURE_INVALID": BLOCK,
    "TX_INCONSISTENT": BLOCK,
    "TX_INTRINSIC_GAS": BLOCK,
    "TX_INITCODE_TOO_LARGE": BLOCK,
    "TX_FEE_INVALID": BLOCK,
    # typed data
    "TYPED_DATA_INVALID": BLOCK,
    "TYPED_DATA_VALUE_INVALID": BLOCK,
    # messages
    "MESSAGE_INVALID": BLOCK,
    # policy
    "POLICY_OUT_OF_SCOPE": BLOCK,
    # everything else: a bug of ours must still fail closed
    "INTERNAL_ERROR": BLOCK,
}


class EdgeError(Exception):
    """An input the edge refuses, with a stable `code` and a sentence a person understands."""

    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        if code not in ERROR_VERDICTS:
            raise ValueError(f"unregistered error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.where = where

    @property
    def verdict(self) -> str:
        return ERROR_VERDICTS[self.code]

    def __repr__(self) -> str:
        return f"EdgeError({self.code!r}, {self.message!r})"
