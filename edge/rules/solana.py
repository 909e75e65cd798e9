"""Rules on Solana instructions: the drainer patterns of Solana wallets, each a code of the catalogue.

"The wallet" is the request's account; where the wallet does not say, the fee payer (the key a
wallet signs with when it is asked to pay). Keys are base58 and compared exactly: unlike hex
addresses, two spellings differing in case are two keys.
"""

from __future__ import annotations

from typing import Iterator

from ..findings import Finding, finding
from ..solana.keys import TOKEN_PROGRAM, associated_token_address
from ..solana.programs import U64_MAX
from ..solana.wire import Message
from ..types import Action, Call, PayloadKind
from ..units import Address, Amount, lamports
from .context import RuleContext

ACCOUNT_AUTHORITIES = ("account_owner", "close_account")  # who can move or close a token account's funds


def _messages(ctx: RuleContext) -> Iterator[tuple[Message, tuple[Call, ...]]]:
    """Each message with its calls (the decoder keeps their order: instruction i of message m)."""
    calls = iter(ctx.intent.calls)
    for message in ctx.payload.solana:
        yield message, tuple(next(calls) for _ in message.instructions)


def _wallet(ctx: RuleContext, message: Message) -> str:
    return ctx.request.account or message.fee_payer


def _calls(ctx: RuleContext, action: Action) -> Iterator[tuple[str, Call]]:
    """(the wallet, call) for every decoded call doing `action`."""
    for message, calls in _messages(ctx):
        for call in calls:
            if call.action == action and call.source == "builtin":
                yield _wallet(ctx, message), call


def authority_change(ctx: RuleContext) -> Iterator[Finding]:
    """Power over a token account's funds, or over a nonce account, handed to a key that is not the wallet."""
    for wallet, call in _calls(ctx, Action.SET_AUTHORITY):
        kind = call.args.get("authority_type", "nonce_authority")
        if kind not in (*ACCOUNT_AUTHORITIES, "nonce_authority"):
            continue  # a mint's own authorities: the token issuer's business, not a wallet's funds
        new = call.args.get("new_authority")
        if new != wallet:
            yield finding(
                "SOLANA_AUTHORITY_CHANGE",
                call.where,
                function=call.function,
                authority_type=kind,
                account=call.roles.get("account") or call.roles.get("nonce_account"),
                new_authority=new or "nobody",
            )


def account_assign(ctx: RuleContext) -> Iterator[Finding]:
    """The wallet's own system account handed to a program, or given data: either way it stops being a wallet."""
    for wallet, call in _calls(ctx, Action.ASSIGN):
        if call.roles.get("account") == wallet:
            owner = call.args.get("owner")
            yield finding(
                "SOLANA_ACCOUNT_ASSIGN", call.where, key="assign", function=call.function, account=wallet, owner=owner
            )
    for wallet, call in _calls(ctx, Action.ALLOCATE):
        if call.roles.get("account") == wallet:
            space = call.args.get("space")
            yield finding(
                "SOLANA_ACCOUNT_ASSIGN", call.where, key="allocate", function=call.function, account=wallet, space=space
            )


def delegate_approval(ctx: RuleContext) -> Iterator[Finding]:
    """A delegate may move tokens without the wallet: every delegate is news (the policy lists none on Solana yet),
    and one for u64 max may move them all."""
    for _, call in _calls(ctx, Action.APPROVE):
        spender, account, amount = call.roles.get("delegate"), call.roles.get("source"), call.args.get("amount")
        if amount == U64_MAX:
            yield finding("APPROVAL_UNLIMITED", call.where, key="delegate", spender=spender, account=account)
        yield finding("SPENDER_UNKNOWN", call.where, key="delegate", spender=spender, account=account, amount=amount)


def close_to_other(ctx: RuleContext) -> Iterator[Finding]:
    for wallet, call in _calls(ctx, Action.CLOSE_ACCOUNT):
        recipient = call.roles.get("recipient")
        if recipient != wallet:
            yield finding(
                "SOLANA_CLOSE_TO_OTHER", call.where, account=call.roles.get("account"), recipient=recipient or "?"
            )


def durable_nonce(ctx: RuleContext) -> Iterator[Finding]:
    for _, call in _calls(ctx, Action.ADVANCE_NONCE):
        yield finding("SOLANA_DURABLE_NONCE", call.where, nonce_account=call.roles.get("nonce_account") or "?")


def signers(ctx: RuleContext) -> Iterator[Finding]:
    """The wallet's account must sign; another fee payer is noted (it is how sponsored transactions look)."""
    account = ctx.request.account
    if account is None:
        return
    for i, message in enumerate(ctx.payload.solana):
        where = f"transactions[{i}]" if len(ctx.payload.solana) > 1 else "transaction"
        signing = message.account_keys[: message.header.required_signatures]
        if account not in signing:
            yield finding("SIGNER_MISMATCH", where, key="solana", signers=", ".join(signing), account=account)
        elif message.fee_payer != account:
            yield finding("SOLANA_FEE_PAYER_OTHER", where, payer=message.fee_payer, account=account)
    signer = ctx.payload.signer
    if ctx.payload.kind == PayloadKind.MESSAGE and signer is not None and signer != account:
        yield finding("SIGNER_MISMATCH", "params.pubkey", key="payload", signer=signer, account=account)


def transfer_recipients(ctx: RuleContext) -> Iterator[Finding]:
    """SOL or tokens leaving for someone else: noted, as on EVM. A token account is the wallet's own where it is the
    wallet's associated account for the mint."""
    for wallet, call in _calls(ctx, Action.NATIVE_TRANSFER):
        recipient = call.roles.get("recipient")
        if recipient is not None and recipient != wallet:
            sent = lamports(call.value)
            yield finding(
                "TRANSFER_RECIPIENT_NOT_SIGNER", call.where, key="native", amount=sent, recipient=Address(recipient)
            )
    for wallet, call in _calls(ctx, Action.TRANSFER):
        destination, mint = call.roles.get("destination"), call.roles.get("mint")
        if destination is None or destination == wallet:
            continue
        if mint is not None and destination == associated_token_address(wallet, mint, call.to or TOKEN_PROGRAM):
            continue
        amount = call.args.get("amount")
        if isinstance(amount, int):
            sent = Amount(amount, mint, None, call.args.get("decimals"))
            yield finding(
                "TRANSFER_RECIPIENT_NOT_SIGNER", call.where, key="token", amount=sent, recipient=Address(destination)
            )
        else:
            yield finding("TRANSFER_RECIPIENT_NOT_SIGNER", call.where, key="assets", recipient=Address(destination))
