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

# code -> (severity, what it means, in English and in Chinese). The message of each finding says it about this payload.
_TABLE: dict[str, tuple[str, str, str]] = {
    # encodings the parser accepted but had to interpret
    "HEX_NO_PREFIX": ("low", "a hex value came without its 0x prefix", "十六进制值缺少 0x 前缀"),
    "HEX_UPPERCASE": ("info", "a hex value used upper-case digits", "十六进制值使用了大写数字"),
    "HEX_ODD_LENGTH": (
        "medium",
        "byte data had an odd number of hex digits and was left-padded",
        "字节数据的十六进制位数为奇数，已在前面补 0",
    ),
    "QUANTITY_AMBIGUOUS": (
        "medium",
        "a quantity without 0x reads differently as decimal and as hex",
        "不带 0x 的数量按十进制和十六进制读出的值不同",
    ),
    "QUANTITY_JSON_NUMBER": (
        "low",
        "a quantity came as a JSON number, not a hex string",
        "数量以 JSON 数字而不是十六进制字符串给出",
    ),
    "QUANTITY_LEADING_ZEROS": ("low", "a hex quantity had leading zeros", "十六进制数量带有前导零"),
    "TYPED_DATA_DOMAIN_NONCANONICAL": (
        "medium",
        "the EIP-712 domain used a non-canonical value that was normalized",
        "EIP-712 域使用了非规范的值，已被规范化",
    ),
    "PARAMS_ORDER_LEGACY": (
        "info",
        "personal_sign parameters came in the legacy (address, message) order",
        "personal_sign 参数使用旧式的（地址, 消息）顺序",
    ),
    "HEX_PREFIX_UPPERCASE": (
        "medium",
        "a hex value came with an upper-case 0X prefix, which some wallets read as text",
        "十六进制值使用大写的 0X 前缀，有些钱包会把它当作文本",
    ),
    "TYPED_DATA_VALUE_NONCANONICAL": (
        "medium",
        "a typed-data value was written in a form wallets read differently",
        "类型化数据中的某个值写法会被不同钱包读成不同的值",
    ),
    "ADDRESS_CHECKSUM_MISMATCH": (
        "high",
        "an address whose mixed case fails its EIP-55 checksum: a typo or a forgery",
        "地址的大小写未通过 EIP-55 校验：可能是笔误或伪造",
    ),
    "TX_FIELD_UNKNOWN": (
        "medium",
        "the transaction object has a field this gate does not know",
        "交易对象含有本网关不认识的字段",
    ),
    "CALLDATA_TRAILING_BYTES": (
        "medium",
        "calldata carries bytes beyond its function's ABI encoding",
        "调用数据在函数的 ABI 编码之后还有多余字节",
    ),
    # the user's stated intent
    "INTENT_MISMATCH": ("high", "the payload does not do what the user asked for", "这笔载荷做的不是用户要求的事"),
    "INTENT_UNREADABLE": (
        "medium",
        "the stated intent could not be read, so the payload was not checked against it",
        "无法读取所述意图，因此没有拿载荷与之核对",
    ),
    "INTENT_MODEL_UNAVAILABLE": (
        "low",
        "the user's words came without a model to read them",
        "用户的话没有可用的模型来解读",
    ),
    # context
    "POLICY_UNSIGNED": (
        "low",
        "the policy came from an unsigned file, fit for development only",
        "策略来自未签名的文件，只适合开发使用",
    ),
    "CHAIN_CONTEXT_MISSING": (
        "medium",
        "the request did not say which chain the wallet is on",
        "请求没有说明钱包在哪条链上",
    ),
    "CHAIN_ID_MISMATCH": (
        "critical",
        "the payload is for another chain than the wallet's",
        "载荷针对的链与钱包所在的链不同",
    ),
    "TX_NO_REPLAY_PROTECTION": (
        "high",
        "a legacy transaction without EIP-155 chain id can be replayed on any chain",
        "没有 EIP-155 链 ID 的旧式交易可在任何链上被重放",
    ),
    "SIGNER_MISMATCH": (
        "critical",
        "the signer of the payload is not the wallet's account",
        "载荷的签名者不是钱包的账户",
    ),
    "SIGNER_UNKNOWN": (
        "medium",
        "the signing account is unknown, so recipients cannot be checked",
        "签名账户未知，因此无法核对收款方",
    ),
    # decoding
    "CALLDATA_UNDECODED": ("medium", "calldata the decoder could not interpret", "解码器无法解读的调用数据"),
    "CALLDATA_MALFORMED": ("high", "calldata that does not match its function's ABI", "调用数据与其函数的 ABI 不符"),
    "CALL_NESTING_EXCEEDED": (
        "high",
        "nested calls past the decoding bound were not inspected",
        "超出解码上限的嵌套调用未被检查",
    ),
    "CONTRACT_CREATION": ("medium", "the transaction deploys a contract", "这笔交易部署一个合约"),
    "CALL_BATCH_EMPTY": (
        "medium",
        "a batch call that makes no calls: whatever it carries just goes to the contract",
        "不发起任何调用的批量调用：它携带的一切都直接交给合约",
    ),
    "UR_COMMAND_UNKNOWN": (
        "high",
        "a Universal Router command this gate does not know",
        "本网关不认识的 Universal Router 命令",
    ),
    "TYPED_DATA_NO_CHAIN_ID": (
        "medium",
        "typed data whose domain names no chain, so its signature is valid on every chain",
        "类型化数据的域没有指明链，其签名在每条链上都有效",
    ),
    "TYPED_DATA_UNUSED_TYPES": (
        "medium",
        "typed data defines types its primary type never uses",
        "类型化数据定义了主类型用不到的类型",
    ),
    "TYPED_DATA_UNKNOWN_SCHEMA": (
        "low",
        "typed data of no known schema; every field is shown",
        "未知结构的类型化数据；已列出每个字段",
    ),
    "MESSAGE_NOT_TEXT": ("medium", "the message is binary, not readable text", "消息是二进制数据，不是可读文本"),
    # rules
    "APPROVAL_UNLIMITED": ("high", "an unlimited token approval or permit", "无限额的代币授权或许可"),
    "PERMIT_NO_DEADLINE": ("medium", "a permit that never expires", "永不过期的许可"),
    "PERMIT_DEADLINE_FAR": ("medium", "a permit that stays valid far into the future", "在很远的将来仍然有效的许可"),
    "APPROVAL_FOR_ALL": ("high", "an operator gets every NFT of the collection", "操作方获得该合集中的全部 NFT"),
    "SPENDER_UNKNOWN": (
        "medium",
        "the spender is not in the policy's known-spender list",
        "花费方不在策略的已知花费方名单中",
    ),
    "SWAP_RECIPIENT_NOT_SIGNER": (
        "high",
        "swap output goes to an address other than the signer",
        "兑换所得发往签名者以外的地址",
    ),
    "ROUTER_TRANSFER_TO_THIRD_PARTY": (
        "high",
        "a router command moves the signer's assets to someone else",
        "路由命令把签名者的资产转给他人",
    ),
    "ROUTER_OUTPUT_STRANDED": (
        "high",
        "a router plan leaves its output in the router, where anyone can take it",
        "路由计划把输出留在路由合约里，任何人都能拿走",
    ),
    "CONTRACT_UNVERIFIED": (
        "high",
        "a call whose meaning depends on the contract goes to one the policy does not know",
        "含义取决于合约的调用发往策略不认识的合约",
    ),
    "TRANSFER_RECIPIENT_NOT_SIGNER": (
        "info",
        "assets go to an address other than the signer",
        "资产发往签名者以外的地址",
    ),
    "NFT_ORDER_NOTHING_BACK": (
        "critical",
        "a marketplace order where the signer receives nothing back",
        "签名者得不到任何回报的市场订单",
    ),
    "NFT_ORDER_PAYS_OTHERS": (
        "high",
        "a marketplace order that pays others at least as much as the signer",
        "付给他人至少与付给签名者一样多的市场订单",
    ),
    "NFT_ORDER_PRICE_DUST": (
        "high",
        "a marketplace order that sells items for a dust price",
        "以粉尘价出售物品的市场订单",
    ),
    "NFT_ORDER_VALUE_UNKNOWN": (
        "medium",
        "a marketplace order paid back only in things the gate cannot value",
        "只用网关无法估值之物回报的市场订单",
    ),
    "DELEGATE_UNKNOWN": (
        "critical",
        "an EIP-7702 delegation to a contract not in the policy's allowlist",
        "把账户委托给不在策略允许名单中的合约的 EIP-7702 授权",
    ),
    "DELEGATE_REVOKE": (
        "info",
        "an EIP-7702 authorization that clears the account's delegation",
        "清除账户委托的 EIP-7702 授权",
    ),
    "DELEGATION_ANY_CHAIN": (
        "high",
        "an EIP-7702 authorization valid on every chain (chain id 0)",
        "在每条链上都有效（链 ID 为 0）的 EIP-7702 授权",
    ),
    "BLIND_SIGNATURE": (
        "critical",
        "eth_sign of a raw 32-byte hash: the wallet cannot know what it signs",
        "对原始 32 字节哈希的 eth_sign：钱包无法知道自己签的是什么",
    ),
    "VALUE_TO_UNKNOWN_SELECTOR": (
        "high",
        "native value sent with calldata the gate cannot interpret",
        "原生币随网关无法解读的调用数据一起发送",
    ),
    "OWNERSHIP_TRANSFER": ("high", "contract ownership changes hands or is renounced", "合约所有权易手或被放弃"),
    "PROXY_UPGRADE": ("high", "a proxy contract's implementation or admin changes", "代理合约的实现或管理员被更换"),
    "SAFE_DELEGATECALL": (
        "high",
        "a Safe transaction runs code by DELEGATECALL in the Safe's context",
        "Safe 交易以 DELEGATECALL 在 Safe 的上下文中运行代码",
    ),
    "ADDRESS_DENYLISTED": ("critical", "an address on the policy's denylist", "策略拒绝名单上的地址"),
    "SIWE_DOMAIN_MISMATCH": (
        "critical",
        "a Sign-In with Ethereum or Solana message for another domain than the requesting site",
        "以太坊或 Solana 登录（SIWE/SIWS）消息的域名不是发起请求的网站",
    ),
    "SIWE_ORIGIN_UNKNOWN": (
        "high",
        "a Sign-In with Ethereum or Solana message with no requesting site to compare its domain with",
        "以太坊或 Solana 登录（SIWE/SIWS）消息没有可供核对域名的请求网站",
    ),
    "ADDRESS_LOOKALIKE": (
        "critical",
        "a counterparty that imitates an address the wallet knows: address poisoning",
        "仿冒钱包已知地址的交易对象：地址投毒",
    ),
    "RECIPIENT_NEW": ("medium", "a first send to an address the wallet has not used", "首次向钱包没用过的地址转账"),
    # Solana
    "SOLANA_PROGRAM_UNKNOWN": (
        "medium",
        "an instruction for a Solana program this gate cannot read",
        "发往本网关无法解读的 Solana 程序的指令",
    ),
    "SOLANA_INSTRUCTION_UNREADABLE": (
        "high",
        "a Solana instruction whose data or accounts do not fit its program's layout",
        "数据或账户与其程序格式不符的 Solana 指令",
    ),
    "SOLANA_ACCOUNT_UNRESOLVED": (
        "medium",
        "an instruction's account comes from an address lookup table, which cannot be read offline",
        "指令的账户来自地址查找表，离线无法读取",
    ),
    "SOLANA_MESSAGE_IS_TRANSACTION": (
        "critical",
        "a message to sign that is really a Solana transaction: blind signing",
        "要签名的消息实际上是一笔 Solana 交易：盲签",
    ),
    "SOLANA_AUTHORITY_CHANGE": (
        "critical",
        "the signer hands authority over an account to another key",
        "签名者把账户的权限交给另一个密钥",
    ),
    "SOLANA_ACCOUNT_ASSIGN": (
        "critical",
        "the wallet's own account is handed to a program or given data",
        "钱包自己的账户被交给某个程序或被分配数据",
    ),
    "SOLANA_CLOSE_TO_OTHER": (
        "high",
        "closing a token account sends its balance of SOL to someone else",
        "关闭代币账户时把其中的 SOL 发给他人",
    ),
    "SOLANA_DURABLE_NONCE": (
        "high",
        "a durable-nonce transaction never expires and can be submitted much later",
        "持久 nonce 交易永不过期，可以在很久之后被提交",
    ),
    "SOLANA_SWAP_OUTPUT_UNBOUND": (
        "medium",
        "a swap's output goes to a token account the transaction cannot show is the wallet's",
        "兑换所得发往一个无法从交易中确认属于钱包的代币账户",
    ),
    "SOLANA_PRIORITY_FEE_HIGH": (
        "high",
        "the transaction offers a priority fee far above what any wallet asks for",
        "交易给出的优先费远高于任何钱包的要求",
    ),
    "SOLANA_FEE_PAYER_OTHER": (
        "medium",
        "someone other than the wallet pays the transaction's fee",
        "交易费由钱包以外的人支付",
    ),
    # the local tier (paired desktop verifier): its escalation outcomes and its own private-context rules
    "LOCAL_UNREACHABLE": (
        "high",
        "the paired local verifier could not be reached in time",
        "配对的本地验证器未能及时联系上",
    ),
    "LOCAL_REFUSED": ("high", "the local verifier refused the request", "本地验证器拒绝了请求"),
    "LOCAL_VERDICT_INVALID": ("high", "the local verifier's answer did not verify", "本地验证器的答复未通过验证"),
    "LOCAL_BLOCKED": (
        "critical",
        "the local verifier blocked this payload with your private context",
        "本地验证器依据你的私有上下文拦截了这笔载荷",
    ),
    "LOCAL_VERIFIED": (
        "info",
        "the local verifier allowed this payload with your private context",
        "本地验证器依据你的私有上下文放行了这笔载荷",
    ),
    "USER_DENYLISTED": ("critical", "a counterparty on the user's own deny list", "用户自己拒绝名单上的交易对象"),
    "ADDRESS_POISONING": (
        "critical",
        "a counterparty that imitates an address the user has used",
        "仿冒用户用过的地址的交易对象",
    ),
    "SPENDER_NEVER_USED": ("high", "an approval to a spender the user has never used", "授权给用户从未用过的花费方"),
    "EXPOSURE_OVER_LIMIT": (
        "high",
        "more of a token than the user's exposure limit allows",
        "某代币的数量超过了用户的敞口上限",
    ),
    "FIRST_INTERACTION": ("medium", "the first interaction with this counterparty", "首次与该交易对象交互"),
    "CROSS_TIER_DIVERGENCE": (
        "high",
        "the edge and the verifier read the payload differently",
        "边缘层与验证器对载荷的解读不同",
    ),
    "PAYLOAD_UNREADABLE": (
        "high",
        "the verifier cannot read this payload well enough to vouch for it",
        "验证器无法充分读懂这笔载荷，不能为它担保",
    ),
    # the optional cloud tier: advice adds caution, never permission
    "CLOUD_UNAVAILABLE": ("info", "no cloud advice was available", "没有可用的云端建议"),
    "CLOUD_CAUTION": ("medium", "the cloud endpoint advises caution", "云端端点建议谨慎"),
}
# Read through `Severity` so a misspelt severity in the table fails at import, not in a rule.
CATALOG: dict[str, tuple[Severity, str]] = {code: (Severity(sev), en) for code, (sev, en, _) in _TABLE.items()}
# code -> (English, Chinese): what each code means, for a reader in either language.
MEANINGS: dict[str, tuple[str, str]] = {code: (en, zh) for code, (_, en, zh) in _TABLE.items()}

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
        "SOLANA_PROGRAM_UNKNOWN",
        "SOLANA_INSTRUCTION_UNREADABLE",
        "SOLANA_ACCOUNT_UNRESOLVED",
        "SOLANA_DURABLE_NONCE",
        "SOLANA_SWAP_OUTPUT_UNBOUND",
    }
)
