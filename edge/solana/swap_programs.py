"""The swap programs a Solana wallet signs for, as tables: Jupiter v6 routes, Raydium (AMM v4, CPMM, CLMM) and
Orca Whirlpool.

Accounts are named by role, the same across programs: `owner` (the user's signing authority),
`source` and `destination` (the user's token accounts in and out), `input_mint` and
`output_mint`. Amounts are named by meaning: `amount_in` / `min_out` for an exact input,
`amount_out` / `max_in` for an exact output. Where a program says so with a flag (Orca's
`a_to_b`, one per pool of a two-hop swap; Raydium CLMM's `is_base_input`), `decode` names them
after reading the flag.

Layouts are from each program's own source or IDL (Jupiter: its v6 IDL; Raydium:
raydium-io/raydium-amm, raydium-cp-swap, raydium-clmm; Orca: orca-so/whirlpools). Anchor
discriminators are computed here, not copied.
"""

from __future__ import annotations

import hashlib

from ..types import Action
from .borsh import Types, load_types
from .programs import Program, Spec

JUPITER_V6 = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4"
RAYDIUM_AMM_V4 = "675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8"
RAYDIUM_CPMM = "CPMMoo8L3F4NbTegBCKVNunggL7H1ZpdTHKxQB5qKP1C"
RAYDIUM_CLMM = "CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK"
ORCA_WHIRLPOOL = "whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc"


def anchor(name: str) -> bytes:
    """An Anchor instruction's discriminator: the first 8 bytes of sha256("global:<name>")."""
    return hashlib.sha256(f"global:{name}".encode()).digest()[:8]


# The accounts a swap's reading rests on (see `Program.watched`).
USER_SIDE = frozenset(
    {"owner", "source", "destination", "user_destination", "input_mint", "output_mint", "mint_a", "mint_b",
     "account_a", "account_b", "account_one_a", "account_one_b", "account_two_a", "account_two_b"}
)  # fmt: skip


def _swap(name: str, fields: tuple[tuple[str, str], ...], accounts: tuple[str, ...], **extra) -> Spec:
    return Spec(name, Action.SWAP, fields, accounts, **extra)


_JUP_TAIL_IN = (("amount_in", "u64"), ("quoted_out", "u64"), ("slippage_bps", "u16"), ("platform_fee_bps", "u8"))
_JUP_TAIL_OUT = (("amount_out", "u64"), ("quoted_in", "u64"), ("slippage_bps", "u16"), ("platform_fee_bps", "u8"))
_JUP_TAIL_LEDGER = (("quoted_out", "u64"), ("slippage_bps", "u16"), ("platform_fee_bps", "u8"))
_JUP_V2_IN = (
    ("amount_in", "u64"), ("quoted_out", "u64"), ("slippage_bps", "u16"), ("platform_fee_bps", "u16"),
    ("positive_slippage_bps", "u16"), ("route_plan", "Vec<RoutePlanStepV2>"),
)  # fmt: skip
_JUP_V2_OUT = (
    ("amount_out", "u64"), ("quoted_in", "u64"), ("slippage_bps", "u16"), ("platform_fee_bps", "u16"),
    ("positive_slippage_bps", "u16"), ("route_plan", "Vec<RoutePlanStepV2>"),
)  # fmt: skip
_PLAN = (("route_plan", "Vec<RoutePlanStep>"),)
_ID = (("id", "u8"),)
# Optional accounts hold the program's own id where the client passed none (Anchor's convention).
_JUP_OPTIONAL = ("destination", "platform_fee_account", "token_2022_program")
_JUP_ROUTE = (
    "token_program", "owner", "source", "user_destination", "destination", "output_mint", "platform_fee_account",
    "event_authority", "program",
)  # fmt: skip
_JUP_SHARED = (
    "token_program", "program_authority", "owner", "source", "program_source", "program_destination", "destination",
    "input_mint", "output_mint", "platform_fee_account", "token_2022_program", "event_authority", "program",
)  # fmt: skip
_JUP_EXACT_OUT = (
    "token_program", "owner", "source", "user_destination", "destination", "input_mint", "output_mint",
    "platform_fee_account", "token_2022_program", "event_authority", "program",
)  # fmt: skip
_JUP_LEDGER = (*_JUP_ROUTE[:7], "token_ledger", *_JUP_ROUTE[7:])
_JUP_SHARED_LEDGER = (*_JUP_SHARED[:11], "token_ledger", *_JUP_SHARED[11:])
_JUP_V2 = (
    "owner", "source", "user_destination", "input_mint", "output_mint", "input_token_program", "output_token_program",
    "destination", "event_authority", "program",
)  # fmt: skip
_JUP_SHARED_V2 = (
    "program_authority", "owner", "source", "program_source", "program_destination", "destination", "input_mint",
    "output_mint", "input_token_program", "output_token_program", "event_authority", "program",
)  # fmt: skip
JUPITER = Program(
    "Jupiter Aggregator v6",
    "jupiter",
    {
        anchor(name): _swap(name, fields, accounts, optional=_JUP_OPTIONAL)
        for name, fields, accounts in (
            ("route", (*_PLAN, *_JUP_TAIL_IN), _JUP_ROUTE),
            ("shared_accounts_route", (*_ID, *_PLAN, *_JUP_TAIL_IN), _JUP_SHARED),
            ("exact_out_route", (*_PLAN, *_JUP_TAIL_OUT), _JUP_EXACT_OUT),
            ("shared_accounts_exact_out_route", (*_ID, *_PLAN, *_JUP_TAIL_OUT), _JUP_SHARED),
            ("route_with_token_ledger", (*_PLAN, *_JUP_TAIL_LEDGER), _JUP_LEDGER),
            ("shared_accounts_route_with_token_ledger", (*_ID, *_PLAN, *_JUP_TAIL_LEDGER), _JUP_SHARED_LEDGER),
            ("route_v2", _JUP_V2_IN, _JUP_V2),
            ("shared_accounts_route_v2", (*_ID, *_JUP_V2_IN), _JUP_SHARED_V2),
            ("exact_out_route_v2", _JUP_V2_OUT, _JUP_V2),
            ("shared_accounts_exact_out_route_v2", (*_ID, *_JUP_V2_OUT), _JUP_SHARED_V2),
        )
    },
    types=load_types("jupiter_v6_types"),
    watched=USER_SIDE,
)

_IN = (("amount_in", "u64"), ("min_out", "u64"))
_OUT = (("max_in", "u64"), ("amount_out", "u64"))
_AMM_V4 = (
    "token_program", "amm", "amm_authority", "amm_open_orders", "amm_target_orders", "amm_coin_vault", "amm_pc_vault",
    "market_program", "market", "market_bids", "market_asks", "market_event_queue", "market_coin_vault",
    "market_pc_vault", "market_vault_signer", "source", "destination", "owner",
)  # fmt: skip
_AMM_V4_NO_TARGET = _AMM_V4[:4] + _AMM_V4[5:]  # 17 accounts: the target-orders account left out
_AMM_V4_POOL_ONLY = ("token_program", "amm", "amm_authority", "amm_coin_vault", "amm_pc_vault", "source", "destination",
                     "owner")  # fmt: skip
RAYDIUM_AMM = Program(
    "Raydium AMM v4",
    "raydium",
    {
        b"\x09": _swap("swapBaseIn", _IN, _AMM_V4, alternatives=(_AMM_V4_NO_TARGET,)),
        b"\x0b": _swap("swapBaseOut", _OUT, _AMM_V4, alternatives=(_AMM_V4_NO_TARGET,)),
        b"\x10": _swap("swapBaseInV2", _IN, _AMM_V4_POOL_ONLY),
        b"\x11": _swap("swapBaseOutV2", _OUT, _AMM_V4_POOL_ONLY),
    },
    watched=USER_SIDE,
)
_CPMM = (
    "owner", "authority", "amm_config", "pool_state", "source", "destination", "input_vault", "output_vault",
    "input_token_program", "output_token_program", "input_mint", "output_mint", "observation_state",
)  # fmt: skip
RAYDIUM_CP = Program(
    "Raydium CPMM",
    "raydium",
    {
        anchor("swap_base_input"): _swap("swap_base_input", _IN, _CPMM),
        anchor("swap_base_output"): _swap("swap_base_output", _OUT, _CPMM),
    },
    watched=USER_SIDE,
)
_THRESHOLD = (("amount", "u64"), ("other_amount_threshold", "u64"))
_CLMM = ("owner", "amm_config", "pool_state", "source", "destination", "input_vault", "output_vault",
         "observation_state", "token_program")  # fmt: skip
RAYDIUM_CL = Program(
    "Raydium CLMM",
    "raydium",
    {
        anchor(name): _swap(
            name,
            (*_THRESHOLD, ("sqrt_price_limit_x64", "u128"), ("is_base_input", "bool")),
            accounts,
            exact_in="is_base_input",
        )  # fmt: skip
        for name, accounts in (
            ("swap", (*_CLMM, "tick_array")),
            ("swap_v2", (*_CLMM, "token_program_2022", "memo_program", "input_mint", "output_mint")),
        )
    },
    watched=USER_SIDE,
)
_WHIRLPOOL_FIELDS = (
    *_THRESHOLD,
    ("sqrt_price_limit", "u128"),
    ("amount_specified_is_input", "bool"),
    ("a_to_b", "bool"),
)
_TICKS = ("tick_array_0", "tick_array_1", "tick_array_2", "oracle")
_ONE_POOL = (
    ("a_to_b", "mint_a", "mint_b", "input_mint", "output_mint"),
    ("a_to_b", "account_a", "account_b", "source", "destination"),
)
# A two-hop swap goes in through pool one and out through pool two. In v1 the token between is paid out by pool one to
# one account and taken by pool two from another (each checked only for its mint): `middle_out` and `middle_in`.
_TWO_HOP_FIELDS = (
    *_THRESHOLD,
    ("amount_specified_is_input", "bool"),
    ("a_to_b_one", "bool"),
    ("a_to_b_two", "bool"),
    ("sqrt_price_limit_one", "u128"),
    ("sqrt_price_limit_two", "u128"),
)
_TWO_HOP_TICKS = (*(f"tick_array_{pool}_{i}" for pool in ("one", "two") for i in range(3)), "oracle_one", "oracle_two")
WHIRLPOOL = Program(
    "Orca Whirlpool",
    "orca",
    {
        anchor("swap"): _swap(
            "swap",
            _WHIRLPOOL_FIELDS,
            ("token_program", "owner", "whirlpool", "account_a", "vault_a", "account_b", "vault_b", *_TICKS),
            exact_in="amount_specified_is_input",
            sides=_ONE_POOL,
        ),
        anchor("swap_v2"): _swap(
            "swap_v2",
            (*_WHIRLPOOL_FIELDS, ("remaining_accounts_info", "Option<RemainingAccountsInfo>")),
            (
                "token_program_a",
                "token_program_b",
                "memo_program",
                "owner",
                "whirlpool",
                "mint_a",
                "mint_b",
                "account_a",
                "vault_a",
                "account_b",
                "vault_b",
                *_TICKS,
            ),
            exact_in="amount_specified_is_input",
            sides=_ONE_POOL,
        ),
        anchor("two_hop_swap"): _swap(
            "two_hop_swap",
            _TWO_HOP_FIELDS,
            (
                "token_program",
                "owner",
                "whirlpool_one",
                "whirlpool_two",
                "account_one_a",
                "vault_one_a",
                "account_one_b",
                "vault_one_b",
                "account_two_a",
                "vault_two_a",
                "account_two_b",
                "vault_two_b",
                *_TWO_HOP_TICKS,
            ),
            exact_in="amount_specified_is_input",
            sides=(
                ("a_to_b_one", "account_one_a", "account_one_b", "source", "middle_out"),
                ("a_to_b_two", "account_two_a", "account_two_b", "middle_in", "destination"),
            ),
        ),
        anchor("two_hop_swap_v2"): _swap(
            "two_hop_swap_v2",
            (*_TWO_HOP_FIELDS, ("remaining_accounts_info", "Option<RemainingAccountsInfo>")),
            (
                "whirlpool_one",
                "whirlpool_two",
                "input_mint",
                "intermediate_mint",
                "output_mint",
                "token_program_input",
                "token_program_intermediate",
                "token_program_output",
                "source",
                "vault_one_input",
                "vault_one_intermediate",
                "vault_two_intermediate",
                "vault_two_output",
                "destination",
                "owner",
                *_TWO_HOP_TICKS,
                "memo_program",
            ),
            exact_in="amount_specified_is_input",
        ),
    },  # fmt: skip
    types=Types(
        structs={
            "RemainingAccountsInfo": (("slices", "Vec<RemainingAccountsSlice>"),),
            "RemainingAccountsSlice": (("accounts_type", "u8"), ("length", "u8")),
        }
    ),
    watched=USER_SIDE,
)

SWAP_PROGRAMS: dict[str, Program] = {
    JUPITER_V6: JUPITER,
    RAYDIUM_AMM_V4: RAYDIUM_AMM,
    RAYDIUM_CPMM: RAYDIUM_CP,
    RAYDIUM_CLMM: RAYDIUM_CL,
    ORCA_WHIRLPOOL: WHIRLPOOL,
}
