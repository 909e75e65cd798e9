"""The programs a wallet meets, as tables: each instruction's tag, layout, accounts and what it does.

An instruction is found by the longest tag its data starts with: System tags are a u32
(little-endian), SPL Token's one byte (Token-2022's extensions a second byte), Compute
Budget's one byte, the Associated Token Account program's one byte or none. After the tag,
`fields` are read in order and must use every byte. `accounts` name the instruction's
accounts by role, in the program's order.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..types import Action
from .borsh import Types
from .keys import ASSOCIATED_TOKEN_PROGRAM, SYSTEM_PROGRAM, TOKEN_2022_PROGRAM, TOKEN_PROGRAM

COMPUTE_BUDGET_PROGRAM = "ComputeBudget111111111111111111111111111111"
ADDRESS_LOOKUP_TABLE_PROGRAM = "AddressLookupTab1e1111111111111111111111111"
STAKE_PROGRAM = "Stake11111111111111111111111111111111111111"
STAKE_AUTHORITIES = ("staker", "withdrawer")  # the stake program's StakeAuthorize
MEMO_PROGRAMS = ("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo")

# SPL Token's `AuthorityType`, Token-2022's extension types after the first four.
AUTHORITY_TYPES = (
    "mint_tokens",
    "freeze_account",
    "account_owner",
    "close_account",
    "transfer_fee_config",
    "withheld_withdraw",
    "close_mint",
    "interest_rate",
    "permanent_delegate",
    "confidential_transfer_mint",
    "transfer_hook_program_id",
    "confidential_transfer_fee_config",
    "metadata_pointer",
    "group_pointer",
    "group_member_pointer",
    "scaled_ui_amount",
    "pause",
)


@dataclass(frozen=True, slots=True)
class Spec:
    """One instruction: its name, what it does, its data fields (name, kind) after the tag, its accounts' roles."""

    name: str
    action: Action
    fields: tuple[tuple[str, str], ...] = ()
    accounts: tuple[str, ...] = ()
    alternatives: tuple[tuple[str, ...], ...] = ()  # other account lists, told apart by their length
    optional: tuple[str, ...] = ()  # accounts that hold the program's own id where the client passed none
    exact_in: str | None = None  # a swap's flag: `amount` is the input (else the output)
    # A swap's sides by its flags: (flag, role A, role B, role of the side going in, role of the side coming out); where
    # the flag is true, A goes in and B comes out of that pool (Orca's `a_to_b`, one per pool of a two-hop swap).
    sides: tuple[tuple[str, str, str, str | None, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Program:
    name: str
    standard: str
    instructions: dict[bytes, Spec]
    text_data: bool = False  # the Memo programs: the data is UTF-8 text, no tag
    types: Types | None = None  # the Borsh types its fields name (Anchor programs)
    # The accounts whose keys must be in the bytes (None: every one). A swap's pool accounts may come from a lookup
    # table; whose tokens go in and out, and where, may not.
    watched: frozenset[str] | None = None


def _u32(n: int) -> bytes:
    return n.to_bytes(4, "little")


_SEED = (("base", "pubkey"), ("seed", "seed"))
SYSTEM = Program(
    "System Program",
    "system",
    {
        _u32(0): Spec(
            "createAccount",
            Action.CREATE_ACCOUNT,
            (("lamports", "u64"), ("space", "u64"), ("owner", "pubkey")),
            ("funder", "new_account"),
        ),
        _u32(1): Spec("assign", Action.ASSIGN, (("owner", "pubkey"),), ("account",)),
        _u32(2): Spec("transfer", Action.NATIVE_TRANSFER, (("lamports", "u64"),), ("source", "recipient")),
        _u32(3): Spec(
            "createAccountWithSeed",
            Action.CREATE_ACCOUNT,
            (*_SEED, ("lamports", "u64"), ("space", "u64"), ("owner", "pubkey")),
            ("funder", "new_account", "base_account"),
        ),
        _u32(4): Spec(
            "advanceNonceAccount", Action.ADVANCE_NONCE, (), ("nonce_account", "recent_blockhashes", "nonce_authority")
        ),
        _u32(5): Spec(
            "withdrawNonceAccount",
            Action.NATIVE_TRANSFER,
            (("lamports", "u64"),),
            ("nonce_account", "recipient", "recent_blockhashes", "rent", "nonce_authority"),
        ),
        _u32(6): Spec(
            "initializeNonceAccount",
            Action.CREATE_ACCOUNT,
            (("authority", "pubkey"),),
            ("nonce_account", "recent_blockhashes", "rent"),
        ),
        _u32(7): Spec(
            "authorizeNonceAccount",
            Action.SET_AUTHORITY,
            (("new_authority", "pubkey"),),
            ("nonce_account", "authority"),
        ),
        _u32(8): Spec("allocate", Action.ALLOCATE, (("space", "u64"),), ("account",)),
        _u32(9): Spec(
            "allocateWithSeed",
            Action.ALLOCATE,
            (*_SEED, ("space", "u64"), ("owner", "pubkey")),
            ("account", "base_account"),
        ),
        _u32(10): Spec("assignWithSeed", Action.ASSIGN, (*_SEED, ("owner", "pubkey")), ("account", "base_account")),
        _u32(11): Spec(
            "transferWithSeed",
            Action.NATIVE_TRANSFER,
            (("lamports", "u64"), ("from_seed", "seed"), ("from_owner", "pubkey")),
            ("source", "base_account", "recipient"),
        ),
        _u32(12): Spec("upgradeNonceAccount", Action.SETTINGS, (), ("nonce_account",)),
    },
)

_AMOUNT = (("amount", "u64"),)
_CHECKED = (("amount", "u64"), ("decimals", "u8"))
_TOKEN: dict[bytes, Spec] = {
    b"\x00": Spec(
        "initializeMint",
        Action.SETTINGS,
        (("decimals", "u8"), ("mint_authority", "pubkey"), ("freeze_authority", "coption_pubkey")),
        ("mint", "rent"),
    ),
    b"\x01": Spec("initializeAccount", Action.SETTINGS, (), ("account", "mint", "new_owner", "rent")),
    b"\x03": Spec("transfer", Action.TRANSFER, _AMOUNT, ("source", "destination", "owner")),
    b"\x04": Spec("approve", Action.APPROVE, _AMOUNT, ("source", "delegate", "owner")),
    b"\x05": Spec("revoke", Action.REVOKE, (), ("source", "owner")),
    b"\x06": Spec(
        "setAuthority",
        Action.SET_AUTHORITY,
        (("authority_type", "authority_type"), ("new_authority", "coption_pubkey")),
        ("account", "owner"),
    ),
    b"\x07": Spec("mintTo", Action.MINT, _AMOUNT, ("mint", "destination", "owner")),
    b"\x08": Spec("burn", Action.BURN, _AMOUNT, ("source", "mint", "owner")),
    b"\x09": Spec("closeAccount", Action.CLOSE_ACCOUNT, (), ("account", "recipient", "owner")),
    b"\x0a": Spec("freezeAccount", Action.SETTINGS, (), ("account", "mint", "owner")),
    b"\x0b": Spec("thawAccount", Action.SETTINGS, (), ("account", "mint", "owner")),
    b"\x0c": Spec("transferChecked", Action.TRANSFER, _CHECKED, ("source", "mint", "destination", "owner")),
    b"\x0d": Spec("approveChecked", Action.APPROVE, _CHECKED, ("source", "mint", "delegate", "owner")),
    b"\x0e": Spec("mintToChecked", Action.MINT, _CHECKED, ("mint", "destination", "owner")),
    b"\x0f": Spec("burnChecked", Action.BURN, _CHECKED, ("source", "mint", "owner")),
    b"\x10": Spec("initializeAccount2", Action.SETTINGS, (("new_owner", "pubkey"),), ("account", "mint", "rent")),
    b"\x11": Spec("syncNative", Action.SETTINGS, (), ("account",)),
    b"\x12": Spec("initializeAccount3", Action.SETTINGS, (("new_owner", "pubkey"),), ("account", "mint")),
    b"\x14": Spec(
        "initializeMint2",
        Action.SETTINGS,
        (("decimals", "u8"), ("mint_authority", "pubkey"), ("freeze_authority", "coption_pubkey")),
        ("mint",),
    ),
    b"\x15": Spec("getAccountDataSize", Action.SETTINGS, (("extensions", "rest"),), ("mint",)),
    b"\x16": Spec("initializeImmutableOwner", Action.SETTINGS, (), ("account",)),
    b"\x17": Spec("amountToUiAmount", Action.SETTINGS, _AMOUNT, ("mint",)),
    b"\x18": Spec("uiAmountToAmount", Action.SETTINGS, (("ui_amount", "rest"),), ("mint",)),
}
# Token-2022 only: the extensions that move or lock funds, or hand a key power over them.
_TOKEN_2022: dict[bytes, Spec] = {
    b"\x19": Spec("initializeMintCloseAuthority", Action.SETTINGS, (("close_authority", "coption_pubkey"),), ("mint",)),
    b"\x1a\x01": Spec(
        "transferCheckedWithFee",
        Action.TRANSFER,
        (*_CHECKED, ("fee", "u64")),
        ("source", "mint", "destination", "owner"),
    ),
    b"\x1a\x02": Spec("withdrawWithheldTokensFromMint", Action.TRANSFER, (), ("mint", "destination", "owner")),
    b"\x1a\x03": Spec(
        "withdrawWithheldTokensFromAccounts",
        Action.TRANSFER,
        (("num_token_accounts", "u8"),),
        ("mint", "destination", "owner"),
    ),
    b"\x1a\x04": Spec("harvestWithheldTokensToMint", Action.SETTINGS, (), ("mint",)),
    b"\x1a\x05": Spec(
        "setTransferFee",
        Action.SETTINGS,
        (("transfer_fee_basis_points", "u16"), ("maximum_fee", "u64")),
        ("mint", "owner"),
    ),
    b"\x1d": Spec(
        "reallocate", Action.SETTINGS, (("extension_types", "rest"),), ("account", "payer", "system", "owner")
    ),
    b"\x1e\x00": Spec("enableRequiredMemoTransfers", Action.SETTINGS, (), ("account", "owner")),
    b"\x1e\x01": Spec("disableRequiredMemoTransfers", Action.SETTINGS, (), ("account", "owner")),
    b"\x22\x00": Spec("enableCpiGuard", Action.SETTINGS, (), ("account", "owner")),
    b"\x22\x01": Spec("disableCpiGuard", Action.SETTINGS, (), ("account", "owner")),
    b"\x23": Spec("initializePermanentDelegate", Action.SETTINGS, (("delegate", "pubkey"),), ("mint",)),
}

SPL_TOKEN = Program("SPL Token", "spl_token", _TOKEN)
TOKEN_2022 = Program("Token-2022", "spl_token", {**_TOKEN, **_TOKEN_2022})
_ATA_ACCOUNTS = ("funder", "account", "wallet", "mint", "system", "token_program")
ASSOCIATED_TOKEN = Program(
    "Associated Token Account",
    "associated_token",
    {
        b"": Spec("create", Action.CREATE_ACCOUNT, (), _ATA_ACCOUNTS),
        b"\x00": Spec("create", Action.CREATE_ACCOUNT, (), _ATA_ACCOUNTS),
        b"\x01": Spec("createIdempotent", Action.CREATE_ACCOUNT, (), _ATA_ACCOUNTS),
        b"\x02": Spec(
            "recoverNested",
            Action.TRANSFER,
            (),
            ("nested_account", "nested_mint", "destination", "owner_account", "owner_mint", "wallet", "token_program"),
        ),
    },
)
COMPUTE_BUDGET = Program(
    "Compute Budget",
    "compute_budget",
    {
        b"\x00": Spec("requestUnits", Action.SETTINGS, (("units", "u32"), ("additional_fee", "u32"))),  # deprecated
        b"\x01": Spec("requestHeapFrame", Action.SETTINGS, (("bytes", "u32"),)),
        b"\x02": Spec("setComputeUnitLimit", Action.SETTINGS, (("units", "u32"),)),
        b"\x03": Spec("setComputeUnitPrice", Action.SETTINGS, (("micro_lamports", "u64"),)),
        b"\x04": Spec("setLoadedAccountsDataSizeLimit", Action.SETTINGS, (("bytes", "u32"),)),
    },
)
MEMO = Program("Memo", "memo", {b"": Spec("memo", Action.SETTINGS, (("text", "rest"),))}, text_data=True)
_STAKE_AUTHORITY = ("authority_type", "stake_authority")
STAKE = Program(
    "Stake Program",
    "stake",
    {
        _u32(0): Spec(
            "initialize",
            Action.CREATE_ACCOUNT,
            (
                ("staker", "pubkey"),
                ("withdrawer", "pubkey"),
                ("lockup_unix_timestamp", "i64"),
                ("lockup_epoch", "u64"),
                ("custodian", "pubkey"),
            ),
            ("stake_account", "rent"),
        ),  # fmt: skip
        _u32(1): Spec(
            "authorize",
            Action.SET_AUTHORITY,
            (("new_authority", "pubkey"), _STAKE_AUTHORITY),
            ("stake_account", "clock", "authority"),
        ),
        _u32(2): Spec(
            "delegateStake",
            Action.SETTINGS,
            (),
            ("stake_account", "vote_account", "clock", "stake_history", "config", "authority"),
        ),
        _u32(3): Spec(
            "split", Action.SETTINGS, (("lamports", "u64"),), ("stake_account", "split_account", "authority")
        ),
        _u32(4): Spec(
            "withdraw",
            Action.NATIVE_TRANSFER,
            (("lamports", "u64"),),
            ("stake_account", "recipient", "clock", "stake_history", "authority"),
        ),
        _u32(5): Spec("deactivate", Action.SETTINGS, (), ("stake_account", "clock", "authority")),
        _u32(7): Spec(
            "merge",
            Action.SETTINGS,
            (),
            ("stake_account", "source_stake_account", "clock", "stake_history", "authority"),
        ),
        _u32(9): Spec(
            "initializeChecked", Action.CREATE_ACCOUNT, (), ("stake_account", "rent", "staker", "withdrawer")
        ),
        _u32(10): Spec(
            "authorizeChecked",
            Action.SET_AUTHORITY,
            (_STAKE_AUTHORITY,),
            ("stake_account", "clock", "authority", "new_authority"),
        ),
        _u32(16): Spec(
            "moveStake", Action.SETTINGS, (("lamports", "u64"),), ("stake_account", "destination", "authority")
        ),
        _u32(17): Spec(
            "moveLamports", Action.NATIVE_TRANSFER, (("lamports", "u64"),), ("stake_account", "recipient", "authority")
        ),
    },
)
ADDRESS_LOOKUP_TABLE = Program(
    "Address Lookup Table",
    "address_lookup_table",
    {
        _u32(0): Spec(
            "createLookupTable",
            Action.CREATE_ACCOUNT,
            (("recent_slot", "u64"), ("bump_seed", "u8")),
            ("table", "authority", "payer", "system"),
        ),
        _u32(1): Spec("freezeLookupTable", Action.SETTINGS, (), ("table", "authority")),
        _u32(2): Spec(
            "extendLookupTable",
            Action.SETTINGS,
            (("new_addresses", "pubkeys"),),
            ("table", "authority", "payer", "system"),
        ),
        _u32(3): Spec("deactivateLookupTable", Action.SETTINGS, (), ("table", "authority")),
        _u32(4): Spec("closeLookupTable", Action.CLOSE_ACCOUNT, (), ("table", "authority", "recipient")),
    },
)

# The runtime's own programs and SPL's; the swap programs are `swap_programs`, and `registry` joins them.
CORE_PROGRAMS: dict[str, Program] = {
    SYSTEM_PROGRAM: SYSTEM,
    TOKEN_PROGRAM: SPL_TOKEN,
    TOKEN_2022_PROGRAM: TOKEN_2022,
    ASSOCIATED_TOKEN_PROGRAM: ASSOCIATED_TOKEN,
    COMPUTE_BUDGET_PROGRAM: COMPUTE_BUDGET,
    ADDRESS_LOOKUP_TABLE_PROGRAM: ADDRESS_LOOKUP_TABLE,
    STAKE_PROGRAM: STAKE,
    **{memo: MEMO for memo in MEMO_PROGRAMS},
}
