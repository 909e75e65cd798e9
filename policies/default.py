"""The built-in default policy, written as the same plain mapping a policy file holds.

Known spenders are contracts whose approvals are routine on Ethereum mainnet (chain 1).
The EIP-7702 delegate allowlist starts empty on purpose: delegating an account is full
control of it, so a wallet owner or vendor must name the delegates they trust.
"""

from __future__ import annotations

from functools import lru_cache

from .model import Policy, policy_from_dict

DEFAULT_POLICY_SOURCE: dict = {
    "policy_id": "builtin-default",
    "revision": 1,
    "thresholds": {"tau_conf": 0.8, "tau_risk": 0.3, "tau_block": 0.8},
    "known_spenders": {
        "1": [
            "0x000000000022D473030F116dDEE9F6B43aC78BA3",  # Uniswap Permit2
            "0x3fC91A3afd70395Cd496C647d5a6CC9D4B2b7FAD",  # Uniswap Universal Router
            "0x66a9893cC07D91D95644AEDD05D03f95e1dBA8Af",  # Uniswap Universal Router (v4)
            "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D",  # Uniswap V2 Router02
            "0xE592427A0AEce92De3Edee1F18E0157C05861564",  # Uniswap V3 SwapRouter
            "0x68b3465833fb72A70ecDF485E0e4C7bD8665Fc45",  # Uniswap SwapRouter02
            "0x1E0049783F008A0085193E00003D00cd54003c71",  # OpenSea conduit (Seaport)
            "0x111111125421cA6dc452d289314280a0f8842A65",  # 1inch Aggregation Router v6
        ],
    },
    "delegates_7702": {},
    "denylist": [],
    "approval_limits": {},
    "max_permit_lifetime_s": 30 * 24 * 3600,
    "require_chain_context": True,
}


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The policy the gate uses when none is given."""
    return policy_from_dict(DEFAULT_POLICY_SOURCE)
