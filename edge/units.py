"""Values that findings' sentences show people: token amounts, durations, addresses, in English or Chinese.

A finding keeps these as its arguments (`Finding.args`), so machine fields stay exact and the
sentence is written in the reader's language when shown. An amount names its token's symbol
and decimals where the gate knows them (the chain's native coin, the well-known tokens) and
falls back to the exact integer and "(unknown token)" where it does not: never a guess.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

from dmind.policies.vocabulary import Lang

from .crypto import to_checksum
from .decode.known_tokens import NATIVE, by_address

NATIVE_DECIMALS = 18
LAMPORTS_DECIMALS = 9
UNLIMITED_FLOOR = 2**96 - 1  # uint96 "infinite" (UNI, COMP) and above: the largest approvals wallets send
MAX_SHOWN_DECIMALS = 8  # digits after the point a sentence shows; the exact integer stays in the machine fields


def short_address(address: str) -> str:
    """`0x7099…79C8`: what a wallet shows; the full address stays in the decision's machine fields."""
    return address if len(address) < 14 else f"{address[:6]}…{address[-4:]}"


@dataclass(frozen=True, slots=True)
class Amount:
    """`value` base units of `token` (None: the chain's native coin), with what is known of it."""

    value: int
    token: str | None
    symbol: str | None
    decimals: int | None
    unlimited: bool = False
    native: bool = False  # wei of the chain's coin: without a symbol the chain is unknown, not the token

    def text(self, lang: Lang) -> str:
        if self.native and self.symbol is None:
            return (
                f"{self.value} wei（未知链的原生币）"
                if lang == Lang.ZH
                else f"{self.value} wei (native coin of an unknown chain)"
            )
        if self.symbol is None or self.decimals is None:
            if self.token:
                what = short_address(self.token)
            else:
                what = "该代币" if lang == Lang.ZH else "the token"
            if self.unlimited:
                return (
                    f"无限额的 {what}（未知代币）"
                    if lang == Lang.ZH
                    else f"an unlimited amount of {what} (unknown token)"
                )
            if lang == Lang.ZH:
                return f"{self.value} 个最小单位的 {what}（未知代币）"
            return f"{self.value} base units of {what} (unknown token)"
        if self.unlimited:
            return f"无限额 {self.symbol}" if lang == Lang.ZH else f"unlimited {self.symbol}"
        return f"{decimal_text(self.value, self.decimals)} {self.symbol}"


def decimal_text(value: int, decimals: int) -> str:
    """`value / 10**decimals`, grouped, rounded to at most `MAX_SHOWN_DECIMALS` places (`≈` when rounded).

    Integer arithmetic throughout: a uint256 has more digits than a decimal context holds.
    """
    places = min(decimals, MAX_SHOWN_DECIMALS)
    step = 10 ** (decimals - places)
    rounded = (value + step // 2) // step
    if value and not rounded:
        return f"<{Decimal(1).scaleb(-places):f}"
    whole, fraction = divmod(rounded, 10**places)
    text = f"{whole:,}" + (f".{fraction:0{places}d}".rstrip("0") if fraction else "")
    return ("" if rounded * step == value else "≈") + text


def token_amount(value: int, token: str | None, chain_id: int | None, unlimited: bool | None = None) -> Amount:
    """An amount of the ERC-20 `token` (None: a token the payload does not name) with its symbol and decimals if
    known; `unlimited` defaults to whether the value is at least `UNLIMITED_FLOOR`."""
    if unlimited is None:
        unlimited = value >= UNLIMITED_FLOOR
    known = by_address(chain_id, token) if token else None
    return Amount(value, token, known.symbol if known else None, known.decimals if known else None, unlimited)


def lamports(value: int) -> Amount:
    """An amount of SOL, in lamports (10^-9 SOL)."""
    return Amount(value, None, "SOL", LAMPORTS_DECIMALS, native=True)


def native_amount(value: int, chain_id: int | None) -> Amount:
    """An amount of the chain's native coin, in wei: `1 ETH` where the chain is known."""
    symbol = NATIVE.get(chain_id or 0)
    return Amount(value, None, symbol, NATIVE_DECIMALS if symbol else None, native=True)


@dataclass(frozen=True, slots=True)
class Address:
    """An address in a sentence, shortened as wallets show it; `full` where the difference is the point."""

    value: str | None
    full: bool = False
    label: str | None = None  # the name the user gave it, shown beside it

    def text(self, lang: Lang) -> str:
        if self.value is None:
            return "（无地址）" if lang == Lang.ZH else "(no address)"
        value = self.value
        if len(value) == 42 and value[:2] == "0x":  # stores keep addresses lower-case; people read EIP-55
            try:
                value = to_checksum(bytes.fromhex(value[2:]))
            except ValueError:
                pass
        shown = value if self.full else short_address(value)
        return f"{shown} ({self.label})" if self.label else shown


@dataclass(frozen=True, slots=True)
class Until:
    """A point in time seen from now: `42 days (until 2027-01-14)`."""

    at: int
    now: int

    def text(self, lang: Lang) -> str:
        days = max(self.at - self.now, 0) // 86400
        date = time.strftime("%Y-%m-%d", time.gmtime(min(self.at, 253402300799)))  # year 9999 at most
        return f"{days} 天（至 {date}）" if lang == Lang.ZH else f"{days} days (until {date})"
