"""Rules on Solana instructions: the drainer patterns of Solana wallets, each a code of the catalogue.

"The wallet" is the request's account. Where the wallet does not say, any signer may be it: a key is
the wallet's only when it is the one signer, and an account any signer controls may be the
wallet's (a dapp that pays the fee is a signer too). Keys are base58 and compared exactly:
unlike hex addresses, two spellings differing in case are two keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterator

from dmind.policies.chains import SOLANA_MAINNET
from dmind.policies.messages import Several
from dmind.policies.model import PolicyToken

from ..findings import Finding, finding
from ..solana.keys import TOKEN_2022_PROGRAM, TOKEN_PROGRAM, associated_token_address
from ..solana.mints import BY_ADDRESS, BY_SYMBOL, WRAPPED_SOL, Mint
from ..solana.programs import STAKE_AUTHORITIES
from ..solana.wire import Message
from ..types import Action, Call, PayloadKind
from ..units import Address, Amount, lamports
from .context import RuleContext
from .intent import AMOUNT_TOLERANCE

# Who can move or close an account's funds: a token account's owner and close authority, a stake account's staker
# and withdrawer, a nonce account's authority. A mint's own authorities are the token issuer's business.
TOKEN_PROGRAMS = (TOKEN_PROGRAM, TOKEN_2022_PROGRAM)
# Compute budget: the runtime's default units per instruction and cap, and the priority fee above which a transaction
# pays more to be scheduled than any wallet asks for (0.05 SOL; sponsored priority fees run to thousandths).
DEFAULT_UNITS, MAX_UNITS = 200_000, 1_400_000
MAX_PRIORITY_FEE = 50_000_000
TIP_ALLOWANCE = 10_000_000  # 0.01 SOL beside a swap: a Jito tip or an account's rent, not a payment
# A delegation this large moves everything any real account holds (u64 max is the usual "unlimited"; half of it is
# as good): it counts as unlimited, as EVM counts allowances from 2^96 on.
UNLIMITED_DELEGATION = 2**63
ACCOUNT_AUTHORITIES = ("account_owner", "close_account", *STAKE_AUTHORITIES, "nonce_authority")


def _messages(ctx: RuleContext) -> Iterator[tuple[Message, tuple[Call, ...]]]:
    """Each message with its calls (the decoder keeps their order: instruction i of message m)."""
    calls = iter(ctx.intent.calls)
    for message in ctx.payload.solana:
        yield message, tuple(next(calls) for _ in message.instructions)


def _as_mint(token: PolicyToken) -> Mint:
    return Mint(token.address, token.symbol, token.decimals)


def known_mint(ctx: RuleContext, address: str | None) -> Mint | None:
    """What the policy says of a mint on the request's cluster, else the built-in table (mainnet mints: used where
    the cluster is mainnet or unnamed, never on devnet or testnet, where those addresses are other tokens)."""
    if address is None:
        return None
    named = ctx.policy.token(ctx.chain, address)
    if named is not None:
        return _as_mint(named)
    return BY_ADDRESS.get(address) if ctx.chain in (None, SOLANA_MAINNET) else None


def mint_by_symbol(ctx: RuleContext, symbol: str) -> Mint | None:
    """The one mint a symbol names: the policy's on the request's cluster first (a symbol it gives to several mints
    names none), then the built-in table's."""
    named = ctx.policy.tokens_by_symbol(ctx.chain, symbol)
    if named:
        return _as_mint(named[0]) if len(named) == 1 else None
    return BY_SYMBOL.get(symbol.upper()) if ctx.chain in (None, SOLANA_MAINNET) else None


def _amount(ctx: RuleContext, value: int, mint: str | None, decimals: int | None = None) -> Amount:
    known = known_mint(ctx, mint)
    if known is None:
        return Amount(value, mint, None, decimals)
    return Amount(value, mint, known.symbol, known.decimals if decimals is None else decimals)


@dataclass(frozen=True, slots=True)
class Wallet:
    """The keys that may be the wallet: its account, or every signer where the request names none."""

    keys: frozenset[str]

    def owns(self, key: str | None) -> bool:
        """`key` is certainly the wallet's."""
        return key is not None and self.keys == {key}

    def may_be(self, key: str | None) -> bool:
        return key in self.keys

    @property
    def shown(self) -> str:
        return " or ".join(sorted(self.keys))


def _wallet(ctx: RuleContext, message: Message) -> Wallet:
    signers = message.account_keys[: message.header.required_signatures]
    return Wallet(frozenset([ctx.request.account] if ctx.request.account else signers))


def _calls(ctx: RuleContext, action: Action) -> Iterator[tuple[Wallet, Call]]:
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
        if not wallet.owns(new):
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
        account = call.roles.get("account")
        if wallet.may_be(account):
            owner = call.args.get("owner")
            yield finding(
                "SOLANA_ACCOUNT_ASSIGN", call.where, key="assign", function=call.function, account=account, owner=owner
            )
    for wallet, call in _calls(ctx, Action.ALLOCATE):
        account = call.roles.get("account")
        if wallet.may_be(account):
            space = call.args.get("space")
            yield finding(
                "SOLANA_ACCOUNT_ASSIGN",
                call.where,
                key="allocate",
                function=call.function,
                account=account,
                space=space,
            )


def _delegated_mint(ctx: RuleContext, call: Call) -> str | None:
    """The mint a delegation is for: named (approveChecked), or the one of the policy's limited mints whose associated
    account of the owner is the account delegated (a plain approve names the account only)."""
    mint, source, owner = call.roles.get("mint"), call.roles.get("source"), call.roles.get("owner")
    if mint is not None or source is None or owner is None:
        return mint
    limited = sorted(ctx.policy.approval_limits.get(ctx.chain or "", {}))
    return next((m for m in limited if associated_token_address(owner, m, call.to or TOKEN_PROGRAM) == source), None)


def delegate_approval(ctx: RuleContext) -> Iterator[Finding]:
    """A delegate may move tokens without the wallet: one the policy does not list as a spender on this cluster is
    news; one for (nearly) u64 max may move them all; one above the policy's limit for its mint counts as unlimited,
    and so does one whose mint cannot be told while the policy limits delegations on this cluster."""
    for _, call in _calls(ctx, Action.APPROVE):
        spender, account, amount = call.roles.get("delegate"), call.roles.get("source"), call.args.get("amount")
        mint = _delegated_mint(ctx, call)
        limit = ctx.policy.approval_limit(ctx.chain, mint) if mint else None
        limits = bool(ctx.policy.approval_limits.get(ctx.chain or ""))
        if isinstance(amount, int) and amount >= UNLIMITED_DELEGATION:
            yield finding("APPROVAL_UNLIMITED", call.where, key="delegate", spender=spender, account=account)
        elif mint is None and limits:
            yield finding(
                "APPROVAL_UNLIMITED", call.where, key="limit_unknown", spender=spender, account=account, amount=amount
            )
        elif limit is not None and isinstance(amount, int) and amount > limit:
            decimals = call.args.get("decimals")
            yield finding(
                "APPROVAL_UNLIMITED",
                call.where,
                key="over_limit",
                spender=Address(spender),
                amount=_amount(ctx, amount, mint, decimals),
                limit=_amount(ctx, limit, mint, decimals),
            )
        if not (isinstance(spender, str) and ctx.policy.known_spender(ctx.chain, spender)):
            yield finding(
                "SPENDER_UNKNOWN", call.where, key="delegate", spender=spender, account=account, amount=amount
            )


def close_to_other(ctx: RuleContext) -> Iterator[Finding]:
    for wallet, call in _calls(ctx, Action.CLOSE_ACCOUNT):
        recipient = call.roles.get("recipient")
        if not wallet.owns(recipient):
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
    """The wallet's account must sign; another fee payer is noted (it is how sponsored transactions look). Without
    the account, a transaction several keys sign leaves the wallet's key unknown."""
    account = ctx.request.account
    for i, message in enumerate(ctx.payload.solana):
        where = f"transactions[{i}]" if len(ctx.payload.solana) > 1 else "transaction"
        signing = message.account_keys[: message.header.required_signatures]
        if account is None:
            if len(signing) > 1:
                yield finding("SIGNER_UNKNOWN", "from")
        elif account not in signing:
            yield finding("SIGNER_MISMATCH", where, key="solana", signers=", ".join(signing), account=account)
        elif message.fee_payer != account:
            yield finding("SOLANA_FEE_PAYER_OTHER", where, payer=message.fee_payer, account=account)
    signer = ctx.payload.signer
    if account is not None and ctx.payload.kind == PayloadKind.MESSAGE and signer is not None and signer != account:
        yield finding("SIGNER_MISMATCH", "params.pubkey", key="payload", signer=signer, account=account)


def _own_account(wallet: Wallet, account: str | None, mint: str | None) -> bool | None:
    """Whether `account` is certainly the wallet's: its key, or its associated token account for `mint` (either
    token program); None where that cannot be told (no mint, or no one key that is the wallet)."""
    if account is None or len(wallet.keys) != 1:
        return None
    (key,) = wallet.keys
    if account == key:
        return True
    if mint is None:
        return None
    return any(account == associated_token_address(key, mint, program) for program in TOKEN_PROGRAMS)


def _sends(ctx: RuleContext) -> Iterator[tuple[Wallet, Call, int]]:
    """(wallet, call, lamports) for every instruction that moves SOL to another account, account creation included."""
    for action in (Action.NATIVE_TRANSFER, Action.CREATE_ACCOUNT):
        for wallet, call in _calls(ctx, action):
            recipient = call.roles.get("recipient") or call.roles.get("new_account")
            if call.value and not _own_account(wallet, recipient, WRAPPED_SOL):  # SOL into its own wSOL: a wrap
                yield wallet, call, call.value


def transfer_recipients(ctx: RuleContext) -> Iterator[Finding]:
    """SOL or tokens leaving for someone else (a new account funded included): noted, as on EVM."""
    for _, call, sent in _sends(ctx):
        recipient = call.roles.get("recipient") or call.roles.get("new_account")
        yield finding(
            "TRANSFER_RECIPIENT_NOT_SIGNER",
            call.where,
            key="native",
            amount=lamports(sent),
            recipient=Address(recipient),
        )
    for wallet, call in _calls(ctx, Action.TRANSFER):
        destination, mint = call.roles.get("destination"), call.roles.get("mint")
        if destination is None or _own_account(wallet, destination, mint):
            continue
        amount = call.args.get("amount")
        if isinstance(amount, int):
            moved = _amount(ctx, amount, mint, call.args.get("decimals"))
            yield finding(
                "TRANSFER_RECIPIENT_NOT_SIGNER", call.where, key="token", amount=moved, recipient=Address(destination)
            )
        else:
            yield finding("TRANSFER_RECIPIENT_NOT_SIGNER", call.where, key="assets", recipient=Address(destination))


# Accounts created with their authorities set in the same step: each named key must be the wallet's.
INITIAL_AUTHORITIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("stake", "initialize"): STAKE_AUTHORITIES,
    ("stake", "initializeChecked"): STAKE_AUTHORITIES,
    ("system", "initializeNonceAccount"): ("authority",),
}


def initial_authority(ctx: RuleContext) -> Iterator[Finding]:
    """A stake or nonce account the wallet funds, created with another key's authority: the same hand-over as
    `authority_change`, done at birth (the "fake staking" drain)."""
    for wallet, call in _calls(ctx, Action.CREATE_ACCOUNT):
        for name in INITIAL_AUTHORITIES.get((call.standard or "", call.function or ""), ()):
            key = call.args.get(name)
            if not wallet.owns(key):
                account = call.roles.get("stake_account") or call.roles.get("nonce_account") or "?"
                yield finding(
                    "SOLANA_AUTHORITY_CHANGE", call.where, function=call.function, authority_type=name,
                    account=account, new_authority=key or "?",
                )  # fmt: skip


def priority_fee(ctx: RuleContext) -> Iterator[Finding]:
    """The fee a transaction offers above the base fee: compute-unit price × limit (micro-lamports per unit), which
    the fee payer pays whether or not anything else happens."""
    for message, calls in _messages(ctx):
        budget = {c.function: c.args for c in calls if c.standard == "compute_budget" and c.source == "builtin"}
        others = sum(c.standard != "compute_budget" for c in calls)
        limit = budget.get("setComputeUnitLimit", {}).get("units", min(MAX_UNITS, DEFAULT_UNITS * others))
        price = budget.get("setComputeUnitPrice", {}).get("micro_lamports", 0)
        fee = -(-limit * price // 1_000_000) + budget.get("requestUnits", {}).get("additional_fee", 0)
        if fee > MAX_PRIORITY_FEE:
            yield finding(
                "SOLANA_PRIORITY_FEE_HIGH", "transaction", fee=lamports(fee), limit=lamports(MAX_PRIORITY_FEE)
            )


@dataclass(frozen=True, slots=True)
class SolanaSwap:
    """A swap as its instruction states it: mints, amounts by meaning, and where the output goes."""

    input_mint: str | None
    output_mint: str | None
    amount_in: int | None  # exact input
    max_in: int | None  # exact output: the most it may take
    source: str | None
    destination: str | None
    to_wallet: bool | None  # None: the bytes cannot tell (no output mint, or no one key that is the wallet)
    where: str


def solana_swaps(ctx: RuleContext) -> Iterator[tuple[Wallet, SolanaSwap]]:
    for wallet, call in _calls(ctx, Action.SWAP):
        r = call.roles
        destination, output_mint = r.get("destination"), r.get("output_mint")
        yield wallet, SolanaSwap(
            r.get("input_mint"), output_mint, r.get("amount_in"), r.get("max_in"), r.get("source"), destination,
            _own_account(wallet, destination, output_mint), call.where,
        )  # fmt: skip


def swap_destination(ctx: RuleContext) -> Iterator[Finding]:
    """A swap's output must go to the wallet's own token account for the output mint; where the bytes cannot show
    that (the pool's mints are not in them), the swap is not understood. A two-hop swap must take the token between
    the hops from the account it paid it to."""
    for _, call in _calls(ctx, Action.SWAP):
        paid, taken = call.roles.get("middle_out"), call.roles.get("middle_in")
        if paid is not None and taken is not None and paid != taken:
            yield finding(
                "SWAP_RECIPIENT_NOT_SIGNER", call.where, key="middle", recipient=Address(paid), taken=Address(taken)
            )
    for wallet, swap in solana_swaps(ctx):
        if swap.to_wallet is False:
            yield finding(
                "SWAP_RECIPIENT_NOT_SIGNER", swap.where, key="swap", recipient=Address(swap.destination),
                signer=Address(wallet.shown),
            )  # fmt: skip
        elif swap.to_wallet is None and swap.destination is not None:
            yield finding("SOLANA_SWAP_OUTPUT_UNBOUND", swap.where, destination=Address(swap.destination))


def _mismatch(key: str, where: str = "stated_intent", **args: Any) -> Finding:
    return finding("INTENT_MISMATCH", where, key=key, **args)


# What a swap transaction may also do without contradicting "swap": set up (compute budget, memos, token accounts),
# wrap and unwrap SOL in the wallet's own accounts, and tip up to TIP_ALLOWANCE to others (Jito tips, rent).
ALONG_WITH_A_SWAP = (Action.SWAP, Action.SETTINGS, Action.CREATE_ACCOUNT, Action.NATIVE_TRANSFER, Action.CLOSE_ACCOUNT)


def _extras(ctx: RuleContext) -> Iterator[Finding]:
    """What a transaction does beside the swap the user asked for, where it moves or hands over value."""
    sent = list(_sends(ctx))
    total = sum(amount for _, _, amount in sent)
    if total > TIP_ALLOWANCE:
        yield _mismatch("extra_value", sent[0][1].where, amount=lamports(total))
    for wallet, call in (pair for action in Action for pair in _calls(ctx, action) if action not in ALONG_WITH_A_SWAP):
        if call.action == Action.TRANSFER and _own_account(
            wallet, call.roles.get("destination"), call.roles.get("mint")
        ):
            continue
        yield _mismatch("extra_action", call.where, function=call.function, action=call.action)
    for wallet, call in _calls(ctx, Action.CLOSE_ACCOUNT):
        if not wallet.owns(call.roles.get("recipient")):
            yield _mismatch("extra_action", call.where, function=call.function, action=call.action)


def intent_binding(ctx: RuleContext) -> Iterator[Finding]:
    """The user's `EXECUTE_SWAP` against the transaction: the swap's output mint, input mint (or the account it
    sells from), input amount (exact-in, or the most an exact-out swap may take) and recipient, and nothing beside
    it that moves value. A search or a reply asked for no transaction at all. Only contradictions are findings:
    what the bytes do not say (a pool's mints) is `swap_destination`'s."""
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
    outputs = [s.output_mint for _, s in found if s.output_mint]
    if out_ca is not None and outputs and out_ca not in outputs:
        yield _mismatch(
            "output_token", found[0][1].where, token=Address(out_ca), found=Several(tuple(map(Address, outputs)))
        )
    symbol = str(arguments.get("inputTokenSymbol", ""))
    mint = known_mint(ctx, arguments.get("inputTokenCA")) or mint_by_symbol(ctx, symbol)
    expected = arguments.get("inputTokenCA") or (mint.address if mint else None)
    for wallet, swap in found:
        from_other = swap.source is not None and expected and _own_account(wallet, swap.source, expected) is False
        sells = swap.input_mint or (swap.source if from_other else None)
        if expected and sells and sells != expected:
            yield _mismatch(
                "input_token", swap.where, symbol=symbol, token=Address(expected), found=Several((Address(sells),))
            )
        amount, most = arguments.get("inputTokenAmount"), swap.amount_in if swap.amount_in is not None else swap.max_in
        if amount is not None and mint is not None and most is not None and sells in (None, expected):
            wanted = Decimal(str(amount)) * (Decimal(10) ** mint.decimals)
            off = abs(Decimal(most) - wanted) if swap.amount_in is not None else Decimal(most) - wanted
            if off > wanted * AMOUNT_TOLERANCE:
                sold = Amount(most, mint.address, mint.symbol, mint.decimals)
                yield _mismatch("input_amount", swap.where, asked=f"{amount} {symbol}", sold=sold)
        if swap.to_wallet is False:
            yield _mismatch("recipient", swap.where, recipient=Address(swap.destination), signer=Address(wallet.shown))
    yield from _extras(ctx)
