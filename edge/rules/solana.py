"""Rules on Solana instructions: the drainer patterns of Solana wallets, each a code of the catalogue.

"The wallet" is the request's account; where the wallet does not say, the fee payer (the key a
wallet signs with when it is asked to pay). Keys are base58 and compared exactly: unlike hex
addresses, two spellings differing in case are two keys.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

from dmind.policies.messages import Several

from ..findings import Finding, finding
from ..solana.keys import TOKEN_2022_PROGRAM, TOKEN_PROGRAM, associated_token_address
from ..solana.mints import BY_ADDRESS, BY_SYMBOL
from ..solana.programs import STAKE_AUTHORITIES, U64_MAX
from ..solana.wire import Message
from ..types import Action, Call, PayloadKind
from ..units import Address, Amount, lamports
from .context import RuleContext
from .intent import AMOUNT_TOLERANCE
from .swaps import Swap

# Who can move or close an account's funds: a token account's owner and close authority, a stake account's staker
# and withdrawer, a nonce account's authority. A mint's own authorities are the token issuer's business.
TOKEN_PROGRAMS = (TOKEN_PROGRAM, TOKEN_2022_PROGRAM)
ACCOUNT_AUTHORITIES = ("account_owner", "close_account", *STAKE_AUTHORITIES, "nonce_authority")


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
    """Power over a token, stake or nonce account's funds handed to a key that is not the wallet."""
    for wallet, call in _calls(ctx, Action.SET_AUTHORITY):
        kind = call.args.get("authority_type", "nonce_authority")
        if kind not in ACCOUNT_AUTHORITIES:
            continue
        new = call.args.get("new_authority")
        if new != wallet:
            account = next(
                (call.roles[r] for r in ("account", "nonce_account", "stake_account") if r in call.roles), "?"
            )
            yield finding(
                "SOLANA_AUTHORITY_CHANGE",
                call.where,
                function=call.function,
                authority_type=kind,
                account=account,
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
                "SOLANA_CLOSE_TO_OTHER",
                call.where,
                account=call.roles.get("account") or call.roles.get("table"),
                recipient=recipient or "?",
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


def _owns(wallet: str, account: str, mint: str) -> bool:
    """Whether `account` is the wallet's own token account for `mint` (its associated account, either program)."""
    return any(account == associated_token_address(wallet, mint, program) for program in TOKEN_PROGRAMS)


def solana_swaps(ctx: RuleContext) -> Iterator[tuple[str, Swap, str | None]]:
    """(the wallet, each swap with its mints and exact input amount, its source token account)."""
    for wallet, call in _calls(ctx, Action.SWAP):
        roles = call.roles
        destination = roles.get("destination")
        token_out = roles.get("output_mint")
        recipient = (
            wallet if destination is not None and token_out and _owns(wallet, destination, token_out) else destination
        )
        swap = Swap(roles.get("input_mint"), token_out, roles.get("amount_in"), recipient, call.where)
        yield wallet, swap, roles.get("source")


def swap_destination(ctx: RuleContext) -> Iterator[Finding]:
    """A swap whose output goes to a token account that is not the wallet's own for the output mint."""
    for wallet, swap, _ in solana_swaps(ctx):
        if swap.token_out is not None and swap.recipient is not None and swap.recipient != wallet:
            yield finding(
                "SWAP_RECIPIENT_NOT_SIGNER",
                swap.where,
                key="swap",
                recipient=Address(swap.recipient),
                signer=Address(wallet),
            )


def _mismatch(key: str, where: str = "stated_intent", **args: Any) -> Finding:
    return finding("INTENT_MISMATCH", where, key=key, **args)


def intent_binding(ctx: RuleContext) -> Iterator[Finding]:
    """The user's `EXECUTE_SWAP` against the swaps the transaction makes: output mint, input mint (or the account it
    sells from), input amount; a search or a reply asked for no transaction at all. Only contradictions are
    findings: what the bytes do not say (a pool's mints, for Raydium AMM v4) is left to the other rules."""
    stated = ctx.stated
    if stated is None or ctx.payload.kind not in ("transaction", "batch"):
        return
    if stated.name != "EXECUTE_SWAP":
        yield _mismatch("search" if stated.name == "SEARCH_TOKEN" else "no_action")
        return
    found = list(solana_swaps(ctx))
    if not found:
        yield _mismatch("no_swap", action=ctx.intent.action)
        return
    arguments = stated.arguments
    out_ca = arguments.get("outputTokenCA")
    outputs = [s.token_out for _, s, _ in found if s.token_out]
    if out_ca is not None and outputs and out_ca not in outputs:
        yield _mismatch(
            "output_token", found[0][1].where, token=Address(out_ca), found=Several(tuple(map(Address, outputs)))
        )
    mint = BY_ADDRESS.get(arguments.get("inputTokenCA") or "") or BY_SYMBOL.get(
        str(arguments.get("inputTokenSymbol", ""))
    )
    expected = arguments.get("inputTokenCA") or (mint.address if mint else None)
    for wallet, swap, source in found:
        sells = swap.token_in or (source if source and expected and not _owns(wallet, source, expected) else None)
        if expected and sells and sells != expected:
            yield _mismatch(
                "input_token", swap.where, symbol=arguments.get("inputTokenSymbol"), token=Address(expected),
                found=Several((Address(sells),)),
            )  # fmt: skip
        amount = arguments.get("inputTokenAmount")
        if amount is not None and mint is not None and swap.amount_in is not None and sells in (None, expected):
            wanted = Decimal(str(amount)) * (Decimal(10) ** mint.decimals)
            if abs(Decimal(swap.amount_in) - wanted) > wanted * AMOUNT_TOLERANCE:
                sold = Amount(swap.amount_in, mint.address, mint.symbol, mint.decimals)
                yield _mismatch(
                    "input_amount", swap.where, asked=f"{amount} {arguments.get('inputTokenSymbol')}", sold=sold
                )
        if swap.recipient is not None and swap.token_out and swap.recipient != wallet:
            yield _mismatch("recipient", swap.where, recipient=Address(swap.recipient), signer=Address(wallet))
