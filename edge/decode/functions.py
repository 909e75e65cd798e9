"""The built-in ABI registry: function signatures, the action each performs, and how to expand it.

Parameter names are role names the rules read (`spender`, `amount`, `recipient`, `operator`,
`newOwner`, `implementation`, ...), so one table both decodes calldata and tells the rules
where to look. Selectors are computed from the signatures, never typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..abi.types import FunctionSignature, parse_signature
from ..types import Action


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    signature: FunctionSignature
    action: Action
    standard: str
    expand: str | None = None  # name of the nested-call expander in `calldata.EXPANDERS`


_PERMIT2_DETAILS = "(address token, uint160 amount, uint48 expiration, uint48 nonce)"
_V3_SINGLE_IN = (
    "(address tokenIn, address tokenOut, uint24 fee, address recipient{d}, "
    "uint256 amountIn, uint256 amountOutMinimum, uint160 sqrtPriceLimitX96)"
)
_V3_SINGLE_OUT = (
    "(address tokenIn, address tokenOut, uint24 fee, address recipient{d}, "
    "uint256 amountOut, uint256 amountInMaximum, uint160 sqrtPriceLimitX96)"
)
_V3_PATH_IN = "(bytes path, address recipient{d}, uint256 amountIn, uint256 amountOutMinimum)"
_V3_PATH_OUT = "(bytes path, address recipient{d}, uint256 amountOut, uint256 amountInMaximum)"


def _v3(template: str, deadline: bool) -> str:
    return template.format(d=", uint256 deadline" if deadline else "")


# (signature with role names, action, standard, expander)
_TABLE: tuple[tuple[str, str, str, str | None], ...] = (
    # ERC-20 (approve and transferFrom share their selectors with ERC-721)
    ("transfer(address recipient, uint256 amount)", "transfer", "erc20", None),
    ("transferFrom(address from, address recipient, uint256 amount)", "transfer", "erc20", None),
    ("approve(address spender, uint256 amount)", "approve", "erc20", None),
    ("increaseAllowance(address spender, uint256 amount)", "approve", "erc20", None),
    ("decreaseAllowance(address spender, uint256 amount)", "revoke", "erc20", None),
    # ERC-721 / ERC-1155
    ("safeTransferFrom(address from, address recipient, uint256 tokenId)", "transfer", "erc721", None),
    ("safeTransferFrom(address from, address recipient, uint256 tokenId, bytes data)", "transfer", "erc721", None),
    ("setApprovalForAll(address operator, bool approved)", "set_approval_for_all", "erc721", None),
    (
        "safeTransferFrom(address from, address recipient, uint256 tokenId, uint256 amount, bytes data)",
        "transfer",
        "erc1155",
        None,
    ),
    (
        "safeBatchTransferFrom(address from, address recipient, uint256[] tokenIds, uint256[] amounts, bytes data)",
        "transfer",
        "erc1155",
        None,
    ),
    # EIP-2612 and DAI permits
    (
        "permit(address owner, address spender, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)",
        "permit",
        "eip2612",
        None,
    ),
    (
        "permit(address owner, address spender, uint256 nonce, uint256 deadline, bool allowed, uint8 v, bytes32 r, "
        "bytes32 s)",
        "permit",
        "dai",
        None,
    ),
    # WETH
    ("deposit()", "wrap", "weth", None),
    ("withdraw(uint256 amount)", "unwrap", "weth", None),
    # Permit2 (AllowanceTransfer and SignatureTransfer)
    ("approve(address token, address spender, uint160 amount, uint48 expiration)", "permit2", "permit2", None),
    (
        f"permit(address owner, ({_PERMIT2_DETAILS} details, address spender, uint256 deadline) permitSingle, bytes "
        "signature)",
        "permit2",
        "permit2",
        None,
    ),
    (
        f"permit(address owner, ({_PERMIT2_DETAILS}[] grants, address spender, uint256 deadline) permitBatch, bytes "
        "signature)",
        "permit2",
        "permit2",
        None,
    ),
    ("transferFrom(address from, address recipient, uint160 amount, address token)", "transfer", "permit2", None),
    (
        "transferFrom((address from, address recipient, uint160 amount, address token)[] transferDetails)",
        "transfer",
        "permit2",
        None,
    ),
    ("lockdown((address token, address spender)[] approvals)", "revoke", "permit2", None),
    ("invalidateNonces(address token, address spender, uint48 newNonce)", "revoke", "permit2", None),
    ("invalidateUnorderedNonces(uint256 wordPos, uint256 mask)", "revoke", "permit2", None),
    # Uniswap V2 router
    (
        "swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address recipient, uint256 "
        "deadline)",
        "swap",
        "uniswap_v2",
        None,
    ),
    (
        "swapTokensForExactTokens(uint256 amountOut, uint256 amountInMax, address[] path, address recipient, uint256 "
        "deadline)",
        "swap",
        "uniswap_v2",
        None,
    ),
    (
        "swapExactETHForTokens(uint256 amountOutMin, address[] path, address recipient, uint256 deadline)",
        "swap",
        "uniswap_v2",
        None,
    ),
    (
        "swapTokensForExactETH(uint256 amountOut, uint256 amountInMax, address[] path, address recipient, uint256 "
        "deadline)",
        "swap",
        "uniswap_v2",
        None,
    ),
    (
        "swapExactTokensForETH(uint256 amountIn, uint256 amountOutMin, address[] path, address recipient, uint256 "
        "deadline)",
        "swap",
        "uniswap_v2",
        None,
    ),
    (
        "swapETHForExactTokens(uint256 amountOut, address[] path, address recipient, uint256 deadline)",
        "swap",
        "uniswap_v2",
        None,
    ),
    (
        "swapExactTokensForTokensSupportingFeeOnTransferTokens(uint256 amountIn, uint256 amountOutMin, "
        "address[] path, address recipient, uint256 deadline)",
        "swap",
        "uniswap_v2",
        None,
    ),
    (
        "swapExactETHForTokensSupportingFeeOnTransferTokens(uint256 amountOutMin, address[] path, address recipient, "
        "uint256 deadline)",
        "swap",
        "uniswap_v2",
        None,
    ),
    (
        "swapExactTokensForETHSupportingFeeOnTransferTokens(uint256 amountIn, uint256 amountOutMin, "
        "address[] path, address recipient, uint256 deadline)",
        "swap",
        "uniswap_v2",
        None,
    ),
    # Uniswap V3 SwapRouter (with deadline) and SwapRouter02 (without)
    *(
        (f"{name}({_v3(tpl, d)} params)", "swap", "uniswap_v3", None)
        for d in (True, False)
        for name, tpl in (
            ("exactInputSingle", _V3_SINGLE_IN),
            ("exactOutputSingle", _V3_SINGLE_OUT),
            ("exactInput", _V3_PATH_IN),
            ("exactOutput", _V3_PATH_OUT),
        )
    ),
    # Universal Router
    ("execute(bytes commands, bytes[] inputs, uint256 deadline)", "swap", "universal_router", "universal_router"),
    ("execute(bytes commands, bytes[] inputs)", "swap", "universal_router", "universal_router"),
    # Multicalls (inner calls go to the same contract)
    ("multicall(bytes[] data)", "batch", "multicall", "multicall"),
    ("multicall(uint256 deadline, bytes[] data)", "batch", "multicall", "multicall"),
    ("multicall(bytes32 previousBlockhash, bytes[] data)", "batch", "multicall", "multicall"),
    # Safe
    (
        "execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, "
        "uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures)",
        "safe_transaction",
        "safe",
        "safe_exec",
    ),
    ("multiSend(bytes transactions)", "batch", "safe", "multisend"),
    # Ownership and proxies
    ("transferOwnership(address newOwner)", "ownership_transfer", "ownable", None),
    ("renounceOwnership()", "ownership_transfer", "ownable", None),
    ("upgradeTo(address implementation)", "proxy_upgrade", "erc1967", None),
    ("upgradeToAndCall(address implementation, bytes data)", "proxy_upgrade", "erc1967", None),
    ("changeAdmin(address newOwner)", "proxy_upgrade", "erc1967", None),
    ("upgrade(address proxy, address implementation)", "proxy_upgrade", "proxy_admin", None),
    ("upgradeAndCall(address proxy, address implementation, bytes data)", "proxy_upgrade", "proxy_admin", None),
    ("changeProxyAdmin(address proxy, address newOwner)", "proxy_upgrade", "proxy_admin", None),
)


def _build() -> dict[bytes, FunctionSpec]:
    registry: dict[bytes, FunctionSpec] = {}
    for text, action, standard, expand in _TABLE:
        spec = FunctionSpec(parse_signature(text), Action(action), standard, expand)
        if spec.signature.selector in registry:
            raise ValueError(f"selector collision in the built-in registry: {text}")
        registry[spec.signature.selector] = spec
    return registry


REGISTRY: dict[bytes, FunctionSpec] = _build()
