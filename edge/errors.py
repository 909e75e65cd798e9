"""The gate's refusals: `EdgeError` (an `InputError` of the one root) and the verdict each code fails closed to.

Every boundary (CLI, bridge, daemon) turns an `EdgeError` into a Decision whose verdict
comes from `ERROR_VERDICTS`: `BLOCK` for input that is malformed, `STEP_UP` for input that
is well formed but not understood. Nothing here is ever `ALLOW`.
"""

from __future__ import annotations

from dmind.policies.errors import InputError
from dmind.policies.vocabulary import Verdict

# code -> verdict. Codes are stable: tests, wallets and dashboards match on them.
ERROR_VERDICTS: dict[str, Verdict] = {
    # request envelope
    "REQUEST_INVALID_JSON": Verdict.BLOCK,
    "REQUEST_INVALID": Verdict.BLOCK,
    "REQUEST_TOO_LARGE": Verdict.BLOCK,
    "JSON_DUPLICATE_KEY": Verdict.BLOCK,
    "INPUT_UNREADABLE": Verdict.BLOCK,
    "METHOD_UNSUPPORTED": Verdict.STEP_UP,
    "PARAMS_INVALID": Verdict.BLOCK,
    "PARAMS_AMBIGUOUS": Verdict.STEP_UP,
    # hex, quantities, addresses
    "HEX_INVALID": Verdict.BLOCK,
    "QUANTITY_INVALID": Verdict.BLOCK,
    "ADDRESS_INVALID": Verdict.BLOCK,
    "ADDRESS_CHECKSUM_INVALID": Verdict.BLOCK,
    # transactions
    "RLP_INVALID": Verdict.BLOCK,
    "TX_TYPE_UNSUPPORTED": Verdict.STEP_UP,
    "TX_FIELD_COUNT": Verdict.BLOCK,
    "TX_FIELD_INVALID": Verdict.BLOCK,
    "TX_INTEGER_RANGE": Verdict.BLOCK,
    "TX_SIGNATURE_INVALID": Verdict.BLOCK,
    "TX_INCONSISTENT": Verdict.BLOCK,
    "TX_INTRINSIC_GAS": Verdict.BLOCK,
    "TX_INITCODE_TOO_LARGE": Verdict.BLOCK,
    "TX_FEE_INVALID": Verdict.BLOCK,
    # typed data
    "TYPED_DATA_INVALID": Verdict.BLOCK,
    "TYPED_DATA_VALUE_INVALID": Verdict.BLOCK,
    # messages
    "MESSAGE_INVALID": Verdict.BLOCK,
    # policy
    "POLICY_OUT_OF_SCOPE": Verdict.BLOCK,
    # everything else: a bug of ours must still fail closed
    "INTERNAL_ERROR": Verdict.BLOCK,
}


class EdgeError(InputError):
    """An input the edge refuses, with a stable `code` and a sentence a person understands."""

    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        if code not in ERROR_VERDICTS:
            raise ValueError(f"unregistered error code {code!r}")
        super().__init__(code, message, where)

    @property
    def verdict(self) -> str:
        return ERROR_VERDICTS[self.code]
