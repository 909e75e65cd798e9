"""Amounts and shares of a balance as people write them, read back into numbers.

"1.5k", "1,000", "2500", "五百", "两千五百", "1.5万", "five hundred" are amounts; "half",
"25%", "fifty percent", "a third", "3/4", "百分之二十", "三分之一", "全部" are shares. A fraction of
*a* thing is an amount: "half a sol" and "1/2 an eth" are 0.5, "half a mil" is 500,000,
"two and a half" and "两个半" are 2.5. A self-correction ("sell 500, no wait, 350", "卖50个，
不对，5个") keeps only what follows it. The decoding grammar
lets a call carry only the numbers read here from the user's own words, so the model chooses
which number goes where but can never write one nobody said. Shares are rounded to four places
(a third is 0.3333), the precision calls carry.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Iterable

from .protocol import format_number

SHARE_PLACES = 4

ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ZH_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
ZH_LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
ZH_NUMERAL = "[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二两三四五六七八九]+)?"
# "一" opening these words is an article, not a number: 一些 (some), 一下 (a moment), 一起 (together) ...
ZH_NOT_NUMBER = re.compile("一(?=[些下起样直定般共切会])")
# Suffixes on digits: 1.5k, 2m, 3千, 1.5万
# (w and W are 万 as people type it in pinyin: 3w is 30,000)
MULTIPLIERS = {
    "k": 1000, "K": 1000, "m": 1_000_000, "M": 1_000_000, "w": 10_000, "W": 10_000,
    "千": 1000, "万": 10_000, "亿": 100_000_000,
}  # fmt: skip

EN_ONES = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_EN_WORD = "|".join(sorted([*EN_ONES, *EN_TENS, *EN_SCALES], key=len, reverse=True))
_EN_SCALE = "|".join(EN_SCALES)
EN_NUMBER = rf"(?:(?:a[\s-]+(?:{_EN_SCALE})|{_EN_WORD})(?:[\s-]+(?:and\s+)?(?:{_EN_WORD}))*)"  # "a" only before a scale: a hundred

# English fractions: numerator word and denominator word, "a third", "three quarters"
EN_NUMERATORS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}
EN_DENOMINATORS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fourth": 4,
    "fourths": 4,
    "fifth": 5,
    "fifths": 5,
    "eighth": 8,
    "eighths": 8,
    "tenth": 10,
    "tenths": 10,
}
# Whole words and phrases that are a share on their own
SHARE_WORDS = {
    "half": 0.5,
    "all": 1.0,
    "everything": 1.0,
    "all of it": 1.0,
    "一半": 0.5,
    "半仓": 0.5,
    "全部": 1.0,
    "所有": 1.0,
    "全仓": 1.0,
    "清仓": 1.0,
    "梭哈": 1.0,
    "all in": 1.0,
    "the whole bag": 1.0,
    "my whole bag": 1.0,
    "every last one": 1.0,
    "全卖": 1.0,
    "entire": 1.0,
    "whole": 1.0,
    "completely": 1.0,
}

_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_PERCENT = re.compile(
    rf"(?<![0-9A-Za-z.])({_ARABIC}|{EN_NUMBER})\s*(?:%|percent(?![A-Za-z])|pct(?![A-Za-z]))", re.IGNORECASE
)
_ZH_PERCENT = re.compile(rf"百分之({ZH_NUMERAL}|{_ARABIC})")
_ZH_FRACTION = re.compile(rf"({ZH_NUMERAL}|\d+)分之({ZH_NUMERAL}|\d+)")
_EN_FRACTION = re.compile(
    rf"(?<![A-Za-z])({'|'.join(EN_NUMERATORS)})[\s-]+({'|'.join(EN_DENOMINATORS)})(?![A-Za-z])", re.IGNORECASE
)
_SHARE_WORD = re.compile(
    "|".join(
        rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])" if w.isascii() else re.escape(w)
        for w in sorted(SHARE_WORDS, key=len, reverse=True)
    ),
    re.IGNORECASE,
)
_SLASH = re.compile(r"(?<![0-9./])(\d{1,3})\s*/\s*(\d{1,3})(?![0-9/])")  # 3/4, 1/8: a share
# A fraction of one thing is an amount, scaled by what follows: half a sol, 1/2 an eth, a quarter of a mil
AMOUNT_SCALES = {"mil": 1_000_000, "million": 1_000_000, "k": 1000, "thousand": 1000, "grand": 1000, "bil": 10**9}
_FRACTION_WORD = rf"half|(?:{'|'.join(EN_NUMERATORS)})[\s-]+(?:{'|'.join(EN_DENOMINATORS)})"
_OF_ONE = re.compile(
    rf"(?<![A-Za-z0-9/])({_FRACTION_WORD}|\d{{1,3}}/\d{{1,3}})\s+(?:of\s+)?an?\s+"
    rf"(?:({'|'.join(AMOUNT_SCALES)})(?![A-Za-z]))?",
    re.IGNORECASE,
)
_AND_A_HALF = re.compile(rf"(?<![0-9A-Za-z.])({_ARABIC}|{EN_NUMBER})\s+and\s+a\s+half(?![A-Za-z])", re.IGNORECASE)
_ZH_AND_A_HALF = re.compile(rf"({ZH_NUMERAL}|\d+)个半")  # 两个半 is 2.5
_ZH_HALF_ONE = re.compile("(?<![个一])半个")  # 半个 is half of one
# Words that take back what was just said: only the numbers after the last of them count.
CORRECTIONS = re.compile(
    r"(?<![A-Za-z])(?:no\s+wait|wait\s+no|no\s+no|i\s+mean|i\s+meant|make\s+that|scratch\s+that|correction|"
    r"oops|sorry)(?![A-Za-z])|不对|说错了|改成|哦不|错了|不是",
    re.IGNORECASE,
)
_DIGITS = re.compile(rf"(?<![0-9A-Za-z.])({_ARABIC})\s?([kKmMwW千万亿])?")
# 三成 is three tenths of the balance (成 is a tenth), 2成 too
_ZH_TENTHS = re.compile(rf"({ZH_NUMERAL}|\d+)成")
_ZH = re.compile(ZH_NUMERAL)
_EN = re.compile(rf"(?<![A-Za-z]){EN_NUMBER}(?![A-Za-z])", re.IGNORECASE)


def zh_number(text: str) -> Decimal:
    """A Chinese numeral: 两千五百 is 2500, 一万零五百 is 10500, 十五 is 15, 三点五 is 3.5.

    A last digit straight after a unit of a hundred or more counts in the next unit down, as
    people say it: 四千五 is 4500, 三百五 is 350, 两万三 is 23,000.
    """
    whole, _, fraction = text.partition("点")
    total, section, digit, unit = 0, 0, 0, 0  # unit: the unit just read, 0 after a digit
    for ch in whole:
        if ch in ZH_DIGITS:
            digit, unit = ZH_DIGITS[ch], (unit if not digit else 0)
        elif ch in ZH_SMALL_UNITS:
            section += (digit or 1) * ZH_SMALL_UNITS[ch]
            digit, unit = 0, ZH_SMALL_UNITS[ch]
        elif ch in ZH_LARGE_UNITS:
            total = (total + section + digit) * ZH_LARGE_UNITS[ch]
            section, digit, unit = 0, 0, ZH_LARGE_UNITS[ch]
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    if digit and unit >= 100 and whole[-2:-1] in {**ZH_SMALL_UNITS, **ZH_LARGE_UNITS} and "零" not in whole[-3:]:
        digit *= unit // 10
    value = Decimal(total + section + digit)
    if fraction:
        value += Decimal("0." + "".join(str(ZH_DIGITS[ch]) for ch in fraction))
    return value


def en_number(text: str) -> Decimal:
    """An English number in words: "five hundred" is 500, "two thousand five hundred" is 2500, "a hundred" is 100."""
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower()):
        if word in ("and", ""):
            continue
        if word == "a":
            current = 1
        elif word in EN_ONES:
            current += EN_ONES[word]
        elif word in EN_TENS:
            current += EN_TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in EN_SCALES:
            total += (current or 1) * EN_SCALES[word]
            current = 0
        else:
            raise ValueError(f"not an English number: {text!r}")
    return Decimal(total + current)


def _number(text: str) -> Decimal:
    """Digits (with thousands commas), a Chinese numeral or English words."""
    if re.fullmatch(_ARABIC, text):
        return Decimal(text.replace(",", ""))
    if _ZH.fullmatch(text):
        return zh_number(text)
    return en_number(text)


# Share patterns, in the order they are read, and the value of a match.
SHARE_READERS = (
    (_PERCENT, lambda m: _number(m.group(1)) / 100),
    (_ZH_PERCENT, lambda m: _number(m.group(1)) / 100),
    (_ZH_FRACTION, lambda m: _number(m.group(2)) / _number(m.group(1))),
    (_ZH_TENTHS, lambda m: _number(m.group(1)) / 10),
    (_EN_FRACTION, lambda m: Decimal(EN_NUMERATORS[m.group(1).lower()]) / EN_DENOMINATORS[m.group(2).lower()]),
    (_SLASH, lambda m: Decimal(m.group(1)) / Decimal(m.group(2))),
    (_SHARE_WORD, lambda m: Decimal(str(SHARE_WORDS[m.group().lower()]))),
)


def _fraction(text: str) -> Decimal:
    """ "half", "two thirds" or "1/2" as a number."""
    if "/" in text:
        top, _, bottom = text.partition("/")
        return Decimal(top) / Decimal(bottom)
    if text.lower() == "half":
        return Decimal("0.5")
    top, bottom = re.split(r"[\s-]+", text.lower())
    return Decimal(EN_NUMERATORS[top]) / EN_DENOMINATORS[bottom]


# Amounts made of a fraction, read before the shares so that their "half" is not also a share.
FRACTION_AMOUNTS = (
    (_OF_ONE, lambda m: _fraction(m.group(1)) * AMOUNT_SCALES.get((m.group(2) or "").lower(), 1)),
    (_AND_A_HALF, lambda m: _number(m.group(1)) + Decimal("0.5")),
    (_ZH_AND_A_HALF, lambda m: _number(m.group(1)) + Decimal("0.5")),
    (_ZH_HALF_ONE, lambda m: Decimal("0.5")),
)


def _blank(text: str, match: re.Match) -> str:
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _read(text: str, readers: tuple) -> tuple[list[tuple[int, Decimal]], str]:
    """(position, value) of every match of `readers`, and the text with the matches blanked out."""
    found: list[tuple[int, Decimal]] = []
    for pattern, read in readers:
        while match := pattern.search(text):
            try:
                found.append((match.start(), read(match)))
            except (ValueError, ArithmeticError, InvalidOperation):
                pass
            text = _blank(text, match)
    return found, text


def _whole_amounts(text: str) -> list[tuple[int, Decimal]]:
    """(position, value) of the amounts written in digits, Chinese numerals or English words."""
    found: list[tuple[int, Decimal]] = []
    for match in _DIGITS.finditer(text):
        value = Decimal(match.group(1).replace(",", ""))
        suffix = match.group(2)
        if suffix:
            found.append((match.start(), value * MULTIPLIERS[suffix]))
            followed_by_letter = text[match.end() : match.end() + 1].isalpha() and suffix in "kKmMwW"
            if not followed_by_letter:  # 1.5k is 1500; in 2kSOL the k may be the symbol's, so 2 stays possible
                continue
        found.append((match.start(), value))
    text = ZH_NOT_NUMBER.sub(" ", _DIGITS.sub(lambda m: " " * len(m.group()), text))
    for pattern, read in ((_ZH, zh_number), (_EN, en_number)):
        for match in pattern.finditer(text):
            try:
                found.append((match.start(), read(match.group())))
            except (ValueError, InvalidOperation):
                pass
    return found


def _in_order(found: Iterable[tuple[int, Decimal]], after: int = -1) -> list[Decimal]:
    return [value for start, value in sorted(found, key=lambda f: f[0]) if start >= after]


def _quantities(text: str) -> tuple[list[Decimal], list[Decimal]]:
    """(amounts, shares) of one text, in the order written; after a self-correction only what follows it."""
    fractions, rest = _read(text, FRACTION_AMOUNTS)
    shares, rest = _read(rest, SHARE_READERS)
    amounts = fractions + _whole_amounts(rest)
    corrected = [m.end() for m in CORRECTIONS.finditer(text)]
    after = corrected[-1] if corrected and any(start >= corrected[-1] for start, _ in amounts + shares) else -1
    return _in_order(amounts, after), _in_order(shares, after)


def _unique(values: Iterable[Decimal], keep) -> list[float]:
    """Distinct values that `keep` accepts and a call can write exactly (eight decimals at most)."""
    out: dict[float, None] = {}
    for value in values:
        number = float(value)
        if keep(number) and number < 1e15 and float(format_number(number)) == number:
            out.setdefault(number, None)
    return list(out)


def quantities_in(texts: Iterable[str]) -> tuple[list[float], list[float]]:
    """(amounts, shares) written in `texts`, each in order of first appearance (texts with addresses taken out: see `grounding`)."""
    amounts: list[Decimal] = []
    shares: list[Decimal] = []
    for text in texts:
        found_amounts, found_shares = _quantities(text)
        # only what can be a share is rounded: quantizing a huge number ("2%9999…") is an error, not a share
        shares += [v.quantize(Decimal(1).scaleb(-SHARE_PLACES)).normalize() for v in found_shares if 0 <= v <= 1]
        amounts += found_amounts
    return _unique(amounts, lambda v: v > 0), _unique(shares, lambda v: 0 <= v <= 1)
