"""Test-side builders for Solana requests: messages and transactions by `solders`, SPL Token instructions by
`solana-py` (`spl.token.instructions`). Independent encoders: the gate's reader is checked against them."""

from __future__ import annotations

import base64
from typing import Any

import base58
import solders.system_program as sp
import spl.token.instructions as spl
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.token.associated import get_associated_token_address
from solders.transaction import Transaction, VersionedTransaction

# Fixed seeds: the same keys every run, never funded.
USER = Keypair.from_seed(bytes(range(32)))
DRAINER = Keypair.from_seed(bytes(range(1, 33))).pubkey()
FRIEND = Keypair.from_seed(bytes(range(2, 34))).pubkey()
MINT = Keypair.from_seed(bytes(range(3, 35))).pubkey()
BLOCKHASH = Hash(bytes(range(100, 132)))
MAINNET = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
MEMO_PROGRAM = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")


def legacy(*instructions: Instruction, payer: Pubkey | None = None) -> Transaction:
    """An unsigned legacy transaction paid by `payer` (the user by default)."""
    return Transaction.new_unsigned(Message.new_with_blockhash(list(instructions), payer or USER.pubkey(), BLOCKHASH))


def v0(*instructions: Instruction, tables: list[Any] | None = None) -> VersionedTransaction:
    """A v0 transaction signed by the user (and only the user must sign it)."""
    return VersionedTransaction(
        MessageV0.try_compile(USER.pubkey(), list(instructions), tables or [], BLOCKHASH), [USER]
    )


def encoded(tx: Transaction | VersionedTransaction) -> str:
    return base64.b64encode(bytes(tx)).decode()


def sol_request(tx: Transaction | VersionedTransaction | str, method: str = "solana_signTransaction", **context: Any):
    """A CLI request object for one Solana transaction, from the user on mainnet."""
    transaction = tx if isinstance(tx, str) else encoded(tx)
    return {
        "request": {"method": method, "params": {"transaction": transaction}},
        "chainId": MAINNET,
        "from": str(USER.pubkey()),
        **context,
    }


def sign_message_request(message: bytes, **context: Any) -> dict:
    params = {"message": base58.b58encode(message).decode(), "pubkey": str(USER.pubkey())}
    return {
        "request": {"method": "solana_signMessage", "params": params},
        "chainId": MAINNET,
        "from": str(USER.pubkey()),
        **context,
    }


def unknown_program_instruction() -> Instruction:
    return Instruction(Pubkey.new_unique(), b"\x01\x02", [AccountMeta(USER.pubkey(), True, True)])


def token_account(owner: Pubkey, mint: Pubkey = MINT) -> Pubkey:
    """`owner`'s associated token account for `mint`, as spl-token derives it."""
    return get_associated_token_address(owner, mint)


USER_TOKENS = token_account(USER.pubkey())


def _spl(name: str, **params: Any) -> Instruction:
    cls = {"set_authority": spl.SetAuthorityParams, "approve": spl.ApproveParams, "close_account": spl.CloseAccountParams,
           "transfer_checked": spl.TransferCheckedParams}[name]  # fmt: skip
    return getattr(spl, name)(cls(program_id=TOKEN_PROGRAM, signers=[], **params))


def _hand_over(new: Pubkey) -> Instruction:
    return _spl(
        "set_authority",
        account=USER_TOKENS,
        authority=spl.AuthorityType.ACCOUNT_OWNER,
        current_authority=USER.pubkey(),
        new_authority=new,
    )


def _approve(amount: int) -> Instruction:
    return _spl("approve", source=USER_TOKENS, delegate=DRAINER, owner=USER.pubkey(), amount=amount)


def _close(to: Pubkey) -> Instruction:
    return _spl("close_account", account=USER_TOKENS, dest=to, owner=USER.pubkey())


def _send_tokens(to: Pubkey) -> Instruction:
    return _spl(
        "transfer_checked", source=USER_TOKENS, mint=MINT, dest=to, owner=USER.pubkey(), amount=5_000_000, decimals=6
    )


def _nonce() -> Instruction:
    return sp.advance_nonce_account(sp.AdvanceNonceAccountParams(nonce_pubkey=FRIEND, authorized_pubkey=USER.pubkey()))


def _pay(to: Pubkey) -> Instruction:
    return sp.transfer(sp.TransferParams(from_pubkey=USER.pubkey(), to_pubkey=to, lamports=10**9))


# code -> (a request where it fires, one where it stays quiet): the drainer pattern and its benign twin.
SOLANA_CASES: dict[str, tuple[dict, dict]] = {
    "SOLANA_AUTHORITY_CHANGE": (
        sol_request(legacy(_hand_over(DRAINER))),
        sol_request(legacy(_hand_over(USER.pubkey()))),
    ),
    "SOLANA_ACCOUNT_ASSIGN": (
        sol_request(legacy(sp.assign(sp.AssignParams(pubkey=USER.pubkey(), owner=DRAINER)))),
        sol_request(
            legacy(sp.transfer(sp.TransferParams(from_pubkey=USER.pubkey(), to_pubkey=USER.pubkey(), lamports=1)))
        ),
    ),
    "SOLANA_CLOSE_TO_OTHER": (sol_request(legacy(_close(DRAINER))), sol_request(legacy(_close(USER.pubkey())))),
    "SOLANA_DURABLE_NONCE": (sol_request(legacy(_nonce(), _pay(FRIEND))), sol_request(legacy(_pay(FRIEND)))),
    "SOLANA_FEE_PAYER_OTHER": (
        sol_request(legacy(_pay(FRIEND), payer=FRIEND)),
        sol_request(legacy(_pay(FRIEND))),
    ),
}
# Codes EVM rules share, with their Solana cases.
SOLANA_SHARED_CASES: dict[str, tuple[dict, dict]] = {
    "APPROVAL_UNLIMITED": (sol_request(legacy(_approve(2**64 - 1))), sol_request(legacy(_approve(10**6)))),
    "SPENDER_UNKNOWN": (sol_request(legacy(_approve(10**6))), sol_request(legacy(_send_tokens(USER_TOKENS)))),
    "TRANSFER_RECIPIENT_NOT_SIGNER": (
        sol_request(legacy(_send_tokens(token_account(FRIEND)))),
        sol_request(legacy(_send_tokens(USER_TOKENS))),
    ),
    "SIGNER_MISMATCH": (
        sol_request(legacy(_pay(FRIEND)), **{"from": str(FRIEND)}),
        sol_request(legacy(_pay(FRIEND))),
    ),
}


JUPITER = Pubkey.from_string("JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4")
USDC_MINT = Pubkey.from_string("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
BONK_MINT = Pubkey.from_string("DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263")


def jupiter_route(
    amount_in: int,
    quoted_out: int,
    output_mint: Pubkey,
    *,
    source: Pubkey | None = None,
    destination: Pubkey | None = None,
) -> Instruction:
    """A Jupiter v6 `route`, written from its IDL: the Anchor discriminator, a one-step route plan (Saber, 100%),
    the input amount, the quote, 50 bps slippage, no platform fee; optional accounts left as the program's id."""
    import hashlib
    import struct

    data = hashlib.sha256(b"global:route").digest()[:8]
    data += struct.pack("<I", 1) + bytes([0, 100, 0, 1])  # Vec<RoutePlanStep>: Saber, percent, input/output index
    data += struct.pack("<QQHB", amount_in, quoted_out, 50, 0)
    accounts = [
        TOKEN_PROGRAM,
        USER.pubkey(),
        source or token_account(USER.pubkey(), USDC_MINT),
        token_account(USER.pubkey(), output_mint),
        destination or JUPITER,
        output_mint,
        JUPITER,
        Pubkey.new_unique(),
        JUPITER,
    ]
    return Instruction(
        JUPITER, data, [AccountMeta(a, a == USER.pubkey(), a not in (TOKEN_PROGRAM, JUPITER)) for a in accounts]
    )


def _budget(units: int, micro_lamports: int) -> list[Instruction]:
    import struct

    program = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
    return [
        Instruction(program, b"\x02" + struct.pack("<I", units), []),
        Instruction(program, b"\x03" + struct.pack("<Q", micro_lamports), []),
    ]


SOLANA_CASES["SOLANA_PRIORITY_FEE_HIGH"] = (
    sol_request(legacy(*_budget(1_400_000, 10**12), _pay(FRIEND))),  # 1,400 SOL of priority fee
    sol_request(legacy(*_budget(200_000, 50_000), _pay(FRIEND))),  # 0.00001 SOL
)


def raydium_v2_swap(destination: Pubkey) -> Instruction:
    """Raydium AMM v4 `swapBaseInV2` (tag 16: amount in, minimum out; 8 accounts): its pool's mints are not in it."""
    import struct

    program = Pubkey.from_string("675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8")
    accounts = [TOKEN_PROGRAM, *(Pubkey.new_unique() for _ in range(4)), USER_TOKENS, destination, USER.pubkey()]
    return Instruction(
        program, b"\x10" + struct.pack("<QQ", 10**6, 1), [AccountMeta(a, a == USER.pubkey(), True) for a in accounts]
    )


SOLANA_CASES["SOLANA_SWAP_OUTPUT_UNBOUND"] = (
    sol_request(legacy(raydium_v2_swap(token_account(DRAINER)))),
    sol_request(legacy(_send_tokens(USER_TOKENS))),
)
