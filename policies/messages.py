"""The sentences people read, in English and Chinese: finding messages and decision explanations.

Every finding is made from a template here (`finding("APPROVAL_UNLIMITED", where, key="unlimited",
...)` names `APPROVAL_UNLIMITED.unlimited`) and keeps its arguments, so the same finding reads
in either language and its machine fields stay exact. Arguments that know how to show
themselves (`Amount`, `Address`, `Until` in `dmind.edge.units`, `Phrase` and `Message` here)
have a `text(lang)` method; anything else is formatted as it is. A test keeps both languages
complete and their placeholders equal, and checks every `finding()` call against this table.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any, Protocol

from .vocabulary import Lang

# template id -> (English, Chinese). An id is a catalogue code, or `CODE.variant` where a code has several sentences;
# `explain.*` are the one-line explanations of a decision, `error` the sentence of a refused input.
TEMPLATES: dict[str, tuple[str, str]] = {
    # encodings the parser accepted but had to interpret
    "HEX_NO_PREFIX": ("{where} has no 0x prefix", "{where} 没有 0x 前缀"),
    "HEX_NO_PREFIX.read_as_hex": ("{where} has no 0x prefix; read as hex", "{where} 没有 0x 前缀，按十六进制读取"),
    "HEX_UPPERCASE": ("{where} uses upper-case hex digits", "{where} 使用了大写的十六进制数字"),
    "HEX_PREFIX_UPPERCASE": ("{where} starts with 0X; read as hex", "{where} 以 0X 开头，按十六进制读取"),
    "HEX_ODD_LENGTH": (
        "{where} has an odd number of hex digits; a leading 0 was assumed",
        "{where} 的十六进制位数是奇数，已按前面补 0 读取",
    ),
    "QUANTITY_JSON_NUMBER": ("{where} came as the JSON number {value}", "{where} 以 JSON 数字 {value} 给出"),
    "QUANTITY_LEADING_ZEROS": ("{where} has leading zeros", "{where} 带有前导零"),
    "QUANTITY_AMBIGUOUS.as_hex": (
        "{where} is {value!r} without 0x: read as hex {number}; a wallet that reads numbers"
        ' ("1e18" as 10^18) would sign another amount',
        "{where} 是不带 0x 的 {value!r}：按十六进制读作 {number}；按数字读取的钱包（把“1e18”读作 10^18）会签下另一个金额",
    ),
    "QUANTITY_AMBIGUOUS.as_decimal": (
        "{where} is {value!r} without 0x: read as decimal {number}; as hex it would be {as_hex}",
        "{where} 是不带 0x 的 {value!r}：按十进制读作 {number}；按十六进制则是 {as_hex}",
    ),
    "ADDRESS_CHECKSUM_MISMATCH": (
        "{where} is written {value}, whose mixed case fails its EIP-55 checksum ({checksummed} is the checksummed form)",
        "{where} 写作 {value}，其大小写未通过 EIP-55 校验（正确的校验形式是 {checksummed}）",
    ),
    "PARAMS_ORDER_LEGACY": (
        "personal_sign parameters were (address, message); read in that order",
        "personal_sign 的参数顺序是（地址, 消息），已按此顺序读取",
    ),
    "TX_NO_REPLAY_PROTECTION": (
        "this legacy transaction has no EIP-155 chain id and is valid on every chain",
        "这笔旧式交易没有 EIP-155 链 ID，在每条链上都有效",
    ),
    "TX_FIELD_UNKNOWN": (
        "{what} has a field {name!r} this gate does not know: a wallet may act on it unseen",
        "{what} 含有本网关不认识的字段 {name!r}：钱包可能在不显示的情况下按它行事",
    ),
    "TYPED_DATA_VALUE_NONCANONICAL": (
        "{where} is {value!r}: read as {text!r}, which not every wallet would do",
        "{where} 是 {value!r}：已读作 {text!r}，但并非每个钱包都这样读",
    ),
    "TYPED_DATA_DOMAIN_NONCANONICAL.chain_id": (
        "domain.chainId {chain_id!r} is not a JSON number; read as {number}",
        "domain.chainId {chain_id!r} 不是 JSON 数字，已读作 {number}",
    ),
    "TYPED_DATA_DOMAIN_NONCANONICAL.verifying_contract": (
        "domain.verifyingContract was the integer {integer}; read as {address}",
        "domain.verifyingContract 是整数 {integer}，已读作 {address}",
    ),
    "TYPED_DATA_UNUSED_TYPES": (
        "types {unused} are defined but not part of {primary}",
        "定义了类型 {unused}，但它们不属于 {primary}",
    ),
    "TYPED_DATA_UNKNOWN_SCHEMA": (
        "{primary_type} is not a schema this gate knows; all fields are shown",
        "{primary_type} 不是本网关认识的结构，已列出全部字段",
    ),
    "TYPED_DATA_NO_CHAIN_ID": (
        "the {primary_type} domain has no chainId: the signature is valid on every chain",
        "{primary_type} 的域没有 chainId：这个签名在每条链上都有效",
    ),
    "MESSAGE_NOT_TEXT": (
        "the message is {size} bytes of binary data, not text",
        "这条消息是 {size} 字节的二进制数据，不是文本",
    ),
    # decoding
    "CALLDATA_UNDECODED.too_short": (
        "{where} carries {size} bytes of data, too short for a function selector",
        "{where} 携带 {size} 字节数据，不足一个函数选择器",
    ),
    "CALLDATA_UNDECODED.unknown_function": (
        "{where} calls unknown function 0x{selector} on {to}",
        "{where} 调用 {to} 上的未知函数 0x{selector}",
    ),
    "CALLDATA_UNDECODED.actions": (
        "{where}: {name} actions are not decoded by this gate",
        "{where}：本网关不解码 {name} 操作",
    ),
    "CALLDATA_TRAILING_BYTES": (
        "{where} carries {size} bytes after its ABI encoding, which the contract may read unseen",
        "{where} 在 ABI 编码之后还带有 {size} 字节，合约可能读取这些未显示的数据",
    ),
    "CALLDATA_MALFORMED.abi": (
        "{where}: {signature} does not decode: {error}",
        "{where}：{signature} 无法解码：{error}",
    ),
    "CALLDATA_MALFORMED.multisend_truncated": (
        "{where}: multiSend entry is truncated",
        "{where}：multiSend 条目被截断",
    ),
    "CALLDATA_MALFORMED.multisend_entry": (
        "{where}: multiSend entry has operation {operation} or runs past the data",
        "{where}：multiSend 条目的操作码为 {operation}，或超出了数据末尾",
    ),
    "CALLDATA_MALFORMED.command_count": (
        "{where}: {commands} commands but {inputs} inputs",
        "{where}：有 {commands} 条命令，却有 {inputs} 个输入",
    ),
    "CALLDATA_MALFORMED.command_input": (
        "{where}: {name} input does not decode: {error}",
        "{where}：{name} 的输入无法解码：{error}",
    ),
    "CALL_NESTING_EXCEEDED": (
        "{where} is past the decoding bound (depth {depth}, {calls} calls, {calldata_bytes} bytes of calldata, "
        "{decoded_bytes} bytes decoded) and was not inspected",
        "{where} 超出解码上限（深度 {depth}、{calls} 个调用、{calldata_bytes} 字节调用数据、{decoded_bytes} 字节解码结果），未被检查",
    ),
    "CALL_BATCH_EMPTY": ("{where}: {what} makes no calls", "{where}：{what} 不发起任何调用"),
    "UR_COMMAND_UNKNOWN": (
        "{where}: command 0x{command:02x} is not a Universal Router command this gate knows",
        "{where}：命令 0x{command:02x} 不是本网关认识的 Universal Router 命令",
    ),
    "SAFE_DELEGATECALL.safe": (
        "{where}: the Safe runs {function} at {to} by DELEGATECALL",
        "{where}：Safe 以 DELEGATECALL 方式运行 {to} 上的 {function}",
    ),
    "SAFE_DELEGATECALL.multisend": (
        "{where}: multiSend runs {function} at {to} by DELEGATECALL",
        "{where}：multiSend 以 DELEGATECALL 方式运行 {to} 上的 {function}",
    ),
    "CONTRACT_CREATION": ("deploys {size} bytes of contract code", "部署 {size} 字节的合约代码"),
    # the user's stated intent
    "INTENT_MISMATCH.not_evm_token": (
        "the user asked for the token {token}, which is not on this EVM chain",
        "用户要的代币 {token} 不在这条 EVM 链上",
    ),
    "INTENT_MISMATCH.output_token": (
        "the user asked for {token}; the payload swaps into {found}",
        "用户要的是 {token}；这笔交易却兑换成 {found}",
    ),
    "INTENT_MISMATCH.input_token": (
        "the user asked to sell {symbol} ({token}); the payload sells {found}",
        "用户要卖出 {symbol}（{token}）；这笔交易卖出的却是 {found}",
    ),
    "INTENT_MISMATCH.input_amount": (
        "the user asked to sell {asked}; the payload sells {sold}",
        "用户要卖出 {asked}；这笔交易卖出的却是 {sold}",
    ),
    "INTENT_MISMATCH.recipient": (
        "the swap pays its output to {recipient}, not to the signer {signer} who asked for it",
        "这笔兑换把所得付给 {recipient}，而不是提出请求的签名者 {signer}",
    ),
    "INTENT_MISMATCH.search": (
        "the user asked for a token search, yet a transaction is to be signed",
        "用户只要求搜索代币，却要签署一笔交易",
    ),
    "INTENT_MISMATCH.no_action": (
        "the user asked for no action, yet a transaction is to be signed",
        "用户没有要求任何操作，却要签署一笔交易",
    ),
    "INTENT_MISMATCH.no_swap": (
        "the user asked for a swap; the payload performs none ({action})",
        "用户要求兑换；这笔交易却没有兑换（{action}）",
    ),
    "INTENT_UNREADABLE.shape": (
        "the stated intent is neither the user's words nor a {{name, arguments}} call",
        "所述意图既不是用户的话，也不是 {{name, arguments}} 形式的调用",
    ),
    "INTENT_UNREADABLE.length": (
        "the stated intent is empty or longer than {limit} characters",
        "所述意图为空，或超过 {limit} 个字符",
    ),
    "INTENT_UNREADABLE.model_reply": (
        "the nano model's reading of the user's words is invalid ({error_code})",
        "nano 模型对用户话语的解读无效（{error_code}）",
    ),
    "INTENT_UNREADABLE.call": (
        "the stated call is invalid: {message} ({error_code})",
        "所述调用无效：{message}（{error_code}）",
    ),
    "INTENT_MODEL_UNAVAILABLE.no_model": (
        "the user's words came without a model to read them, so the payload was not checked against them",
        "没有可用的模型来解读用户的话，因此没有拿这笔交易与之核对",
    ),
    "INTENT_MODEL_UNAVAILABLE.failed": ("the user's words were not read: {message}", "未能解读用户的话：{message}"),
    # context
    "POLICY_UNSIGNED": (
        "policy {policy_id} r{revision} was loaded from the unsigned file {name}",
        "策略 {policy_id} r{revision} 来自未签名的文件 {name}",
    ),
    "CHAIN_CONTEXT_MISSING": (
        "the request does not say which chain the wallet is on, so the payload's chain cannot be checked",
        "请求没有说明钱包在哪条链上，因此无法核对载荷所属的链",
    ),
    "CHAIN_ID_MISMATCH.payload": (
        "the payload is for chain {chain_id}, the wallet is on chain {wallet}",
        "载荷针对链 {chain_id}，而钱包在链 {wallet} 上",
    ),
    "CHAIN_ID_MISMATCH.authorization": (
        "authorization {i} is for chain {chain_id}, the wallet is on chain {wallet}",
        "授权 {i} 针对链 {chain_id}，而钱包在链 {wallet} 上",
    ),
    "SIGNER_MISMATCH.payload": (
        "the payload is signed by {signer}, the wallet's account is {account}",
        "载荷由 {signer} 签名，而钱包账户是 {account}",
    ),
    "SIGNER_MISMATCH.order": (
        "order {i} is offered by {offerer}, but {signer} signs it",
        "订单 {i} 的挂单方是 {offerer}，签名的却是 {signer}",
    ),
    "SIGNER_UNKNOWN": (
        "no signing account is known, so the recipients of this payload cannot be checked",
        "签名账户未知，因此无法核对这笔载荷的收款方",
    ),
    # rules
    "APPROVAL_UNLIMITED.unlimited": ("approves {spender} to spend {amount}", "授权 {spender} 花费{amount}"),
    "APPROVAL_UNLIMITED.over_limit": (
        "approves {spender} to spend {amount}, above the policy limit of {limit}",
        "授权 {spender} 花费 {amount}，超过策略上限 {limit}",
    ),
    "PERMIT_NO_DEADLINE": (
        "this grant to {spender} never expires (its {label})",
        "授予 {spender} 的这项许可永不过期（{label}）",
    ),
    "PERMIT_DEADLINE_FAR": (
        "this grant to {spender} stays valid for {until} (its {label})",
        "授予 {spender} 的这项许可有效期长达 {until}（{label}）",
    ),
    "APPROVAL_FOR_ALL": (
        "{operator} gets every token of collection {collection}",
        "{operator} 获得合集 {collection} 中的全部代币",
    ),
    "SPENDER_UNKNOWN.spender": (
        "spender {spender} is not a known spender on chain {chain_id}",
        "花费方 {spender} 不是链 {chain_id} 上的已知花费方",
    ),
    "SPENDER_UNKNOWN.operator": (
        "operator {operator} is not a known spender on chain {chain_id}",
        "操作方 {operator} 不是链 {chain_id} 上的已知花费方",
    ),
    "VALUE_TO_UNKNOWN_SELECTOR": ("{amount} goes to {to} with {what}", "{amount} 随 {what} 发往 {to}"),
    "CONTRACT_UNVERIFIED": (
        "{function} is a {standard} function, but {to} is not a {standard} contract the policy knows on chain "
        "{chain_id}",
        "{function} 是 {standard} 函数，但 {to} 不是策略在链 {chain_id} 上认识的 {standard} 合约",
    ),
    "OWNERSHIP_TRANSFER": (
        "{function} on {contract}: control passes to {target}",
        "{contract} 上的 {function}：控制权交给 {target}",
    ),
    "PROXY_UPGRADE": (
        "{function} on {contract}: control passes to {target}",
        "{contract} 上的 {function}：控制权交给 {target}",
    ),
    "ADDRESS_DENYLISTED": ("{address} is on the policy's denylist", "{address} 在策略的拒绝名单上"),
    "ADDRESS_LOOKALIKE": (
        "{address} looks like {twin}, which the wallet knows, but is a different address: an address-poisoning twin",
        "{address} 看起来像钱包认识的 {twin}，但它是另一个地址：这是地址投毒用的仿冒地址",
    ),
    "RECIPIENT_NEW": (
        "a first send to {recipient}: it is not in the wallet's address book or recent counterparties",
        "首次向 {recipient} 转账：它不在钱包的地址簿或近期交易对象中",
    ),
    "DELEGATE_REVOKE": ("authorization {i} clears the delegation of {authority}", "授权 {i} 清除 {authority} 的委托"),
    "DELEGATE_UNKNOWN": (
        "authorization {i} delegates {authority} to {address}, which is not in the policy's delegate allowlist",
        "授权 {i} 把 {authority} 委托给 {address}，它不在策略的委托允许名单中",
    ),
    "DELEGATION_ANY_CHAIN": (
        "authorization {i} has chain id 0 and is valid on every chain",
        "授权 {i} 的链 ID 为 0，在每条链上都有效",
    ),
    "ROUTER_OUTPUT_STRANDED.native_left": (
        "{amount} sent with the call is neither wrapped nor swept by the plan: it stays in the router, where anyone "
        "can take it",
        "随调用发送的 {amount} 既没有被包装也没有被取回：它会留在路由合约里，任何人都能拿走",
    ),
    "ROUTER_OUTPUT_STRANDED.output_left": (
        "{name} leaves its output in the router and no later command takes it out",
        "{name} 把输出留在路由合约里，之后也没有命令把它取出",
    ),
    "SWAP_RECIPIENT_NOT_SIGNER.command": (
        "{name} sends its output to {recipient}, not to the signer",
        "{name} 把输出发给 {recipient}，而不是签名者",
    ),
    "SWAP_RECIPIENT_NOT_SIGNER.swap": (
        "swap output goes to {recipient}, not to the signer {signer}",
        "兑换所得发往 {recipient}，而不是签名者 {signer}",
    ),
    "SWAP_RECIPIENT_NOT_SIGNER.middle": (
        "the first pool pays the token between the two hops to {recipient}, but the second takes it from {taken}",
        "第一个池把两跳之间的代币付给 {recipient}，第二个池却从 {taken} 取出",
    ),
    "ROUTER_TRANSFER_TO_THIRD_PARTY.command": ("{name} moves assets to {recipient}", "{name} 把资产转给 {recipient}"),
    "ROUTER_TRANSFER_TO_THIRD_PARTY.portion": (
        "PAY_PORTION sends {percent:g}% of the output to {recipient}",
        "PAY_PORTION 把输出的 {percent:g}% 发给 {recipient}",
    ),
    "TRANSFER_RECIPIENT_NOT_SIGNER.fee": (
        "PAY_PORTION pays a {percent:g}% fee to {recipient}",
        "PAY_PORTION 向 {recipient} 支付 {percent:g}% 的费用",
    ),
    "TRANSFER_RECIPIENT_NOT_SIGNER.token": ("sends {amount} to {recipient}", "向 {recipient} 发送 {amount}"),
    "TRANSFER_RECIPIENT_NOT_SIGNER.assets": ("assets go to {recipient}", "资产发往 {recipient}"),
    "TRANSFER_RECIPIENT_NOT_SIGNER.native": ("sends {amount} to {recipient}", "向 {recipient} 发送 {amount}"),
    "BLIND_SIGNATURE": (
        "eth_sign asks to sign the raw hash 0x{digest}; no wallet can show what that authorizes",
        "eth_sign 要求签署原始哈希 0x{digest}；没有钱包能显示它授权了什么",
    ),
    "SOLANA_PROGRAM_UNKNOWN": (
        "calls program {program}, which this gate cannot read",
        "调用本网关无法解读的程序 {program}",
    ),
    "SOLANA_INSTRUCTION_UNREADABLE": (
        "a {program} instruction whose bytes or accounts do not fit any of its instructions",
        "一条 {program} 指令，其字节或账户不符合该程序的任何指令",
    ),
    "SOLANA_ACCOUNT_UNRESOLVED": (
        "its {role} account is entry {entry} of lookup table {table}, which cannot be read offline",
        "其 {role} 账户是查找表 {table} 的第 {entry} 项，离线无法读取",
    ),
    "SOLANA_MESSAGE_IS_TRANSACTION": (
        "the {size} bytes to sign as a message are a Solana transaction: signing them signs that transaction unseen",
        "要作为消息签名的 {size} 字节是一笔 Solana 交易：签了它就等于在看不见的情况下签了这笔交易",
    ),
    "SOLANA_AUTHORITY_CHANGE": (
        "{function} gives the {authority_type} authority of {account} to {new_authority}",
        "{function} 把 {account} 的 {authority_type} 权限交给 {new_authority}",
    ),
    "SOLANA_ACCOUNT_ASSIGN.assign": (
        "{function} hands the wallet's own account {account} to program {owner}",
        "{function} 把钱包自己的账户 {account} 交给程序 {owner}",
    ),
    "SOLANA_ACCOUNT_ASSIGN.allocate": (
        "{function} gives the wallet's own account {account} {space} bytes of data: it can no longer pay fees",
        "{function} 给钱包自己的账户 {account} 分配 {space} 字节数据：它将无法再支付交易费",
    ),
    "SOLANA_CLOSE_TO_OTHER": (
        "closing token account {account} sends its SOL to {recipient}",
        "关闭代币账户 {account} 会把其中的 SOL 发给 {recipient}",
    ),
    "SOLANA_DURABLE_NONCE": (
        "it advances nonce account {nonce_account}: the transaction never expires and can be held and sent later",
        "它推进 nonce 账户 {nonce_account}：这笔交易永不过期，可以被扣下稍后再发送",
    ),
    "SOLANA_SWAP_OUTPUT_UNBOUND": (
        "the swap pays token account {destination}; its mint is not in the transaction, so it cannot be shown to be "
        "the wallet's",
        "这笔兑换付给代币账户 {destination}；交易中没有它的代币种类，无法确认它属于钱包",
    ),
    "SOLANA_PRIORITY_FEE_HIGH": (
        "it offers {fee} as a priority fee, above {limit}; the fee payer pays it whatever else happens",
        "它给出 {fee} 的优先费，超过 {limit}；无论交易做什么，付费方都要付这笔钱",
    ),
    "INTENT_MISMATCH.extra_value": (
        "the user asked for a swap; the transaction also sends {amount} to others",
        "用户要求兑换；这笔交易还把 {amount} 发给他人",
    ),
    "INTENT_MISMATCH.extra_action": (
        "the user asked for a swap; the transaction also runs {function} ({action})",
        "用户要求兑换；这笔交易还执行了 {function}（{action}）",
    ),
    "SOLANA_FEE_PAYER_OTHER": (
        "{payer} pays the fee; the wallet's account is {account}",
        "由 {payer} 支付交易费；钱包的账户是 {account}",
    ),
    "SIGNER_MISMATCH.solana": (
        "the transaction is signed by {signers}; the wallet's account {account} is not one of them",
        "这笔交易由 {signers} 签名；钱包的账户 {account} 不在其中",
    ),
    "APPROVAL_UNLIMITED.delegate": (
        "lets {spender} move every token of account {account}",
        "允许 {spender} 转走账户 {account} 中的全部代币",
    ),
    "APPROVAL_UNLIMITED.limit_unknown": (
        "lets {spender} move {amount} units from account {account}, whose token the gate cannot tell, "
        "under a policy that limits delegations",
        "允许 {spender} 从账户 {account} 转走 {amount} 个单位，无法判断其代币，而策略限制委托额度",
    ),
    "SPENDER_UNKNOWN.delegate": (
        "delegate {spender} may move {amount} from token account {account}",
        "委托方 {spender} 可以从代币账户 {account} 转走 {amount}",
    ),
    "SIWE_ORIGIN_UNKNOWN.no_domain": (
        "the sign-in message names no readable domain, so it cannot be checked against the site",
        "登录消息没有写明可读的域名，无法与网站核对",
    ),
    "SIWE_ORIGIN_UNKNOWN.no_origin": (
        "the sign-in message comes with no readable requesting site, so it cannot be checked against the site",
        "登录消息没有附带可读的请求网站，无法核对",
    ),
    "SIWE_DOMAIN_MISMATCH": (
        "the sign-in message is for {claimed}, but {origin} asked for it",
        "登录消息是给 {claimed} 的，发起请求的却是 {origin}",
    ),
    "NFT_ORDER_NOTHING_BACK": (
        "order {i} gives away {items} item(s) and, at the lowest point of its price, pays the offerer {offerer} nothing",
        "订单 {i} 送出 {items} 件物品，而在价格最低时不向挂单方 {offerer} 支付任何东西",
    ),
    "NFT_ORDER_VALUE_UNKNOWN": (
        "order {i} pays the offerer only in items or tokens whose value the gate cannot judge",
        "订单 {i} 只用网关无法估值的物品或代币支付挂单方",
    ),
    "NFT_ORDER_PAYS_OTHERS": (
        "order {i} pays others {amount} and the offerer only {own}",
        "订单 {i} 付给他人 {amount}，付给挂单方的只有 {own}",
    ),
    "NFT_ORDER_PRICE_DUST": (
        "order {i} gives away {items} item(s) for {paid} at its lowest: a dust price",
        "订单 {i} 在最低价时以 {paid} 送出 {items} 件物品：这是粉尘价",
    ),
    # the local tier
    "LOCAL_UNREACHABLE": (
        "the local verifier did not answer within the budget ({error})",
        "本地验证器没有在时限内应答（{error}）",
    ),
    "LOCAL_REFUSED": ("the local verifier refused the request ({reason})", "本地验证器拒绝了请求（{reason}）"),
    "LOCAL_VERDICT_INVALID": (
        "the local verifier's answer did not verify ({reason})",
        "本地验证器的答复未通过验证（{reason}）",
    ),
    "LOCAL_BLOCKED": ("your local verifier blocked this payload: {reason}", "你的本地验证器拦截了这笔载荷：{reason}"),
    "LOCAL_VERIFIED": ("your local verifier allowed this payload: {reason}", "你的本地验证器放行了这笔载荷：{reason}"),
    "PAYLOAD_UNREADABLE": (
        "the verifier understands this payload only partly (γ={confidence:.2f})",
        "验证器只能部分理解这笔载荷（γ={confidence:.2f}）",
    ),
    "CROSS_TIER_DIVERGENCE": (
        "Δ = {delta:.2f}: the edge read {edge}, the verifier read {local}",
        "Δ = {delta:.2f}：边缘层读到的是 {edge}，验证器读到的是 {local}",
    ),
    "USER_DENYLISTED": ("{party} is on your deny list", "{party} 在你的拒绝名单上"),
    "ADDRESS_POISONING": (
        "{party} looks like {twin}, which you have used, but is a different address",
        "{party} 看起来像你用过的 {twin}，但它是另一个地址",
    ),
    "FIRST_INTERACTION": ("you have never interacted with {party}", "你从未与 {party} 交互过"),
    "SPENDER_NEVER_USED.spender": ("you have never approved {spender} before", "你以前从未授权过 {spender}"),
    "SPENDER_NEVER_USED.operator": (
        "you have never approved {operator} as an operator before",
        "你以前从未把 {operator} 设为操作方",
    ),
    "EXPOSURE_OVER_LIMIT.approval": (
        "approving {amount} is over your limit of {limit}",
        "授权 {amount} 超过了你设定的上限 {limit}",
    ),
    "EXPOSURE_OVER_LIMIT.send": (
        "sending {amount} is over your limit of {limit}",
        "发送 {amount} 超过了你设定的上限 {limit}",
    ),
    # the cloud tier
    "CLOUD_UNAVAILABLE.no_cloud": ("no cloud advice: {reason}", "没有云端建议：{reason}"),
    "CLOUD_UNAVAILABLE.no_projection": (
        "no projection could be built ({error}); the cloud was not asked",
        "无法构建脱敏视图（{error}），没有询问云端",
    ),
    "CLOUD_CAUTION": ("cloud advice: {reputation}, {patterns}", "云端建议：{reputation}，{patterns}"),
    # a refused input: the parser's own sentence (English), after the code's title in other languages
    "error": ("{detail}", "{title}（{detail}）"),
    # one-line explanations of a decision
    "explain.blocked": ("blocked: {reason}", "已拦截：{reason}"),
    "explain.blocked_risk": ("blocked: risk over the block threshold", "已拦截：风险超过拦截阈值"),
    "explain.step_up": ("needs confirmation: {reason}", "需要确认：{reason}"),
    "explain.step_up_risk": ("needs confirmation: risk over threshold", "需要确认：风险超过阈值"),
    "explain.partial": (
        "needs confirmation: the gate understands this request only partly (γ={confidence:.2f} < τ_conf={tau:.2f})",
        "需要确认：网关只能部分理解这个请求（γ={confidence:.2f} < τ_conf={tau:.2f}）",
    ),
    "explain.allowed": ("allowed: no finding reaches the policy's thresholds", "已放行：没有任何发现达到策略阈值"),
    "explain.rejected": ("rejected: {reason}", "已拒绝：{reason}"),
    "explain.not_understood": ("not understood: {reason}", "无法理解：{reason}"),
    "explain.local_allowed": ("allowed by your local verifier: {reason}", "你的本地验证器已放行：{reason}"),
    "explain.local_blocked": ("blocked by your local verifier: {reason}", "你的本地验证器已拦截：{reason}"),
    # the verifier's own explanations (`dmind.local_tier`), sent to the edge in both languages
    "explain.payload_blocked": ("the payload itself is blocked: {reason}", "载荷本身已被拦截：{reason}"),
    "explain.private_allowed": (
        "your own history and lists explain what the edge could not: {reasons}",
        "你自己的历史和名单解释了边缘层无法判断的部分：{reasons}",
    ),
    "explain.no_private_risk": ("no private risk", "没有私人风险"),
    "explain.you_approved": ("you approved it on the console ({reason})", "你已在控制台批准（{reason}）"),
    "explain.you_denied": ("you denied it on the console ({reason})", "你已在控制台拒绝（{reason}）"),
    "explain.no_answer": (
        "no answer on the console within {wait} s ({reason})",
        "{wait} 秒内控制台没有回答（{reason}）",
    ),
    # the parts of a decision read as text (`dmind-edge check --format text`)
    "view.header": (
        "{verdict}  risk {risk:.2f}  confidence {confidence:.2f}  policy {policy}",
        "{verdict}  风险 {risk:.2f}  置信度 {confidence:.2f}  策略 {policy}",
    ),
    "view.findings": ("findings:", "发现："),
    "view.no_findings": ("no findings", "没有发现"),
    "view.actions": ("what it does:", "它做什么："),
    "view.call": ("{what} on {to}", "在 {to} 上调用 {what}"),
    "view.with_value": (", sending {amount}", "，发送 {amount}"),
    "view.typed": ("signs {primary_type} for {domain}", "为 {domain} 签署 {primary_type}"),
    "view.message": ("signs a message of {size} bytes", "签署一条 {size} 字节的消息"),
}


class Shown(Protocol):
    """A value that writes itself into a sentence in the reader's language."""

    def text(self, lang: Lang) -> str: ...


@dataclass(frozen=True, slots=True)
class Phrase:
    """A fixed phrase used as an argument (`its signer`), in both languages."""

    en: str
    zh: str

    def text(self, lang: Lang) -> str:
        return self.zh if lang == Lang.ZH else self.en


@dataclass(frozen=True, slots=True)
class Several:
    """Values listed in one argument: `1 ETH, 2 USDC` / `1 ETH、2 USDC`."""

    items: tuple[Any, ...]

    def text(self, lang: Lang) -> str:
        return ("、" if lang == Lang.ZH else ", ").join(shown(item, lang) for item in self.items)


@dataclass(frozen=True, slots=True)
class Message:
    """A sentence not yet written: a template id and its arguments (a sorted tuple, so it is hashable)."""

    template: str
    args: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: Lang = Lang.EN) -> str:
        return render(self.template, dict(self.args), lang)


def message(template: str, **args: Any) -> Message:
    """A `Message` of a known template whose arguments are exactly its placeholders."""
    if template not in TEMPLATES:
        raise KeyError(f"no message template {template!r}")
    missing = placeholders(TEMPLATES[template][0]) - args.keys()
    if missing:
        raise KeyError(f"message {template!r} lacks {sorted(missing)}")
    return Message(template, tuple(sorted(args.items())))


def shown(value: Any, lang: Lang) -> Any:
    """`value` as a sentence shows it: its own `text(lang)` where it has one, itself otherwise."""
    text = getattr(value, "text", None)
    return text(lang) if callable(text) else value


class _Formatter(string.Formatter):
    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        return shown(kwargs[key], self.lang)


def render(template: str, args: dict[str, Any], lang: Lang = Lang.EN) -> str:
    """The sentence of `template` with `args`, in `lang` (English where a language is not known)."""
    en, zh = TEMPLATES[template]
    return _Formatter(lang).format(zh if lang == Lang.ZH else en, **args)


def placeholders(text: str) -> set[str]:
    """The argument names a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
