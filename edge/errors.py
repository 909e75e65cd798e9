"""The gate's refusals: `EdgeError` (an `InputError` of the one root) and the verdict each code fails closed to.

Every boundary (CLI, bridge, daemon) turns an `EdgeError` into a Decision whose verdict
comes from `ERROR_VERDICTS`: `BLOCK` for input that is malformed, `STEP_UP` for input that
is well formed but not understood. Nothing here is ever `ALLOW`.
"""

from __future__ import annotations

from dmind.policies.errors import InputError
from dmind.policies.vocabulary import Verdict

# code -> (verdict, title in English, title in Chinese). Codes are stable: tests, wallets and dashboards match on
# them. The title heads the parser's own (English) sentence where a reader asked for another language.
_ERRORS: dict[str, tuple[Verdict, str, str]] = {
    # request envelope
    "REQUEST_INVALID_JSON": (Verdict.BLOCK, "the request is not valid JSON", "请求不是有效的 JSON"),
    "REQUEST_INVALID": (Verdict.BLOCK, "the request is not a valid signing request", "请求不是有效的签名请求"),
    "REQUEST_TOO_LARGE": (Verdict.BLOCK, "the request is larger than the gate accepts", "请求超出网关接受的大小"),
    "JSON_DUPLICATE_KEY": (Verdict.BLOCK, "the request names the same key twice", "请求中同一个键出现了两次"),
    "INPUT_UNREADABLE": (Verdict.BLOCK, "the input could not be read", "无法读取输入"),
    "METHOD_UNSUPPORTED": (Verdict.STEP_UP, "a signing method this gate does not support", "本网关不支持的签名方法"),
    "PARAMS_INVALID": (Verdict.BLOCK, "the method's parameters are invalid", "方法参数无效"),
    "PARAMS_AMBIGUOUS": (
        Verdict.STEP_UP,
        "the method's parameters can be read more than one way",
        "方法参数可以有多种读法",
    ),
    # hex, quantities, addresses
    "HEX_INVALID": (Verdict.BLOCK, "a hex value is invalid", "十六进制值无效"),
    "QUANTITY_INVALID": (Verdict.BLOCK, "a quantity is invalid", "数量无效"),
    "ADDRESS_INVALID": (Verdict.BLOCK, "an address is invalid", "地址无效"),
    "ADDRESS_CHECKSUM_INVALID": (Verdict.BLOCK, "an address fails its checksum", "地址未通过校验"),
    # transactions
    "RLP_INVALID": (Verdict.BLOCK, "the transaction's RLP encoding is invalid", "交易的 RLP 编码无效"),
    "TX_TYPE_UNSUPPORTED": (Verdict.STEP_UP, "a transaction type this gate does not support", "本网关不支持的交易类型"),
    "TX_FIELD_COUNT": (Verdict.BLOCK, "the transaction has the wrong number of fields", "交易字段数量不对"),
    "TX_FIELD_INVALID": (Verdict.BLOCK, "a transaction field is invalid", "交易字段无效"),
    "TX_INTEGER_RANGE": (Verdict.BLOCK, "a transaction integer is out of range", "交易中的整数超出范围"),
    "TX_SIGNATURE_INVALID": (Verdict.BLOCK, "the transaction's signature is invalid", "交易签名无效"),
    "TX_INCONSISTENT": (Verdict.BLOCK, "the transaction's fields contradict each other", "交易字段互相矛盾"),
    "TX_INTRINSIC_GAS": (Verdict.BLOCK, "the gas limit is below what the transaction needs", "燃料上限低于交易所需"),
    "TX_INITCODE_TOO_LARGE": (
        Verdict.BLOCK,
        "the contract code is larger than the chain allows",
        "合约代码超出链的上限",
    ),
    "TX_FEE_INVALID": (Verdict.BLOCK, "the transaction's fees are invalid", "交易费用无效"),
    # Solana
    "SOLANA_ENCODING_INVALID": (Verdict.BLOCK, "a base64 or base58 value is invalid", "base64 或 base58 值无效"),
    "SOLANA_TX_INVALID": (Verdict.BLOCK, "the Solana transaction is malformed", "Solana 交易格式错误"),
    "SOLANA_TX_TOO_LARGE": (
        Verdict.BLOCK,
        "the Solana transaction is larger than one packet",
        "Solana 交易超出一个数据包的大小",
    ),
    "SOLANA_VERSION_UNSUPPORTED": (
        Verdict.STEP_UP,
        "a Solana message version this gate does not read",
        "本网关不支持的 Solana 消息版本",
    ),
    # typed data
    "TYPED_DATA_INVALID": (Verdict.BLOCK, "the typed data is invalid", "类型化数据无效"),
    "TYPED_DATA_VALUE_INVALID": (
        Verdict.BLOCK,
        "a typed-data value does not fit its type",
        "类型化数据中的值与其类型不符",
    ),
    # messages
    "MESSAGE_INVALID": (Verdict.BLOCK, "the message is invalid", "消息无效"),
    # policy
    "POLICY_OUT_OF_SCOPE": (Verdict.BLOCK, "the policy does not cover this request", "策略不适用于这个请求"),
    # everything else: a bug of ours must still fail closed
    "INTERNAL_ERROR": (Verdict.BLOCK, "the gate failed on this input", "网关处理这个输入时出错"),
}
ERROR_VERDICTS: dict[str, Verdict] = {code: verdict for code, (verdict, _, _) in _ERRORS.items()}
ERROR_TITLES: dict[str, tuple[str, str]] = {code: (en, zh) for code, (_, en, zh) in _ERRORS.items()}


class EdgeError(InputError):
    """An input the edge refuses, with a stable `code` and a sentence a person understands."""

    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        if code not in ERROR_VERDICTS:
            raise ValueError(f"unregistered error code {code!r}")
        super().__init__(code, message, where)

    @property
    def verdict(self) -> str:
        return ERROR_VERDICTS[self.code]
