"""Numbers as people write them: "1.5k", "1,000", "五百", "两千", "half", "25%", "三分之一".

Each function returns the surface forms of one value; the generator picks one, and the gold
call carries the value itself.
"""

from __future__ import annotations

from random import Random

ZH_DIGITS = "零一二三四五六七八九"
ZH_UNITS = ((1000, "千"), (100, "百"), (10, "十"))


def zh_integer(n: int, *, liang: bool = False) -> str:
    """`n` (1 to 99,999,999) in Chinese numerals; `liang` writes 2 before 千/百/万 as 两."""
    if not 0 < n < 100_000_000:
        raise ValueError(f"out of range: {n}")
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        head = zh_integer(high, liang=liang) + "万"
        if low == 0:
            return head
        return head + ("零" if low < 1000 else "") + zh_integer(low, liang=liang)
    out, zero = [], False
    for unit, name in ZH_UNITS:
        digit, n = divmod(n, unit)
        if digit:
            if zero:
                out.append("零")
            word = "两" if (liang and digit == 2 and unit >= 100) else ZH_DIGITS[digit]
            out.append(word + name)
            zero = False
        elif out:
            zero = True
    if n:
        if zero:
            out.append("零")
        out.append(ZH_DIGITS[n])
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text  # 十五, not 一十五


def plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.8f}".rstrip("0").rstrip(".")


EN_WORDS = {1: "one", 2: "two", 3: "three", 5: "five", 10: "ten", 20: "twenty", 50: "fifty", 100: "a hundred"}


def _elided(n: int) -> str:
    """四千五 for 4500, 三百五 for 350, 两万三 for 23000: the last unit left unsaid."""
    for unit, name in ((10_000, "万"), (1000, "千"), (100, "百")):
        head, rest = divmod(n, unit)
        if 0 < head < 10 and rest and rest % (unit // 10) == 0 and rest // (unit // 10) < 10:
            return ("两" if head == 2 else ZH_DIGITS[head]) + name + ZH_DIGITS[rest // (unit // 10)]
    return ""


def amount_forms(value: float, lang: str) -> list[str]:
    """Ways to write an amount in `lang` (en, zh or mixed): digits, commas, k and m, words, 万 and w, numerals."""
    forms = [plain(value)]
    integral = float(value).is_integer()
    if integral and value >= 1000:
        forms.append(f"{int(value):,}")
    if 1000 <= value < 1_000_000 and (value / 1000) * 10 == int(value / 100):
        forms.append(plain(value / 1000) + "k")
    if value >= 1_000_000 and (value / 1_000_000) * 10 == int(value / 100_000):
        forms.append(plain(value / 1_000_000) + "m")
    if lang == "en" and integral and int(value) in EN_WORDS:
        forms.append(EN_WORDS[int(value)])
    if lang != "en" and integral:
        if 10_000 <= value < 100_000_000 and value % 1000 == 0:
            forms += [plain(value / 10_000) + "万", plain(value / 10_000) + "w"]
        if value < 100_000_000:
            forms += [zh_integer(int(value), liang=True), zh_integer(int(value))]
        elif value % 100_000_000 == 0 and value < 1_000_000_000:
            forms.append(ZH_DIGITS[int(value // 100_000_000)] + "亿")
        if elided := _elided(int(value)):
            forms.append(elided)
    return [f for f in dict.fromkeys(forms) if f]


# share -> (English forms, Chinese forms)
SHARES: dict[float, tuple[tuple[str, ...], tuple[str, ...]]] = {
    0.5: (("half", "1/2", "50%", "fifty percent"), ("一半", "百分之五十", "50%", "1/2", "半仓", "五成")),
    0.25: (("a quarter", "1/4", "25%", "one fourth"), ("四分之一", "百分之二十五", "1/4", "25%")),
    0.75: (("three quarters", "3/4", "75%"), ("四分之三", "百分之七十五", "3/4", "75%")),
    0.3333: (("1/3", "a third", "one third"), ("三分之一", "1/3")),
    0.6667: (("2/3", "two thirds"), ("三分之二", "2/3")),
    0.3: (("30%", "thirty percent"), ("三成", "百分之三十", "30%")),
    0.2: (("a fifth", "1/5", "20%", "20 percent"), ("五分之一", "百分之二十", "20%", "两成")),
    0.1: (("1/10", "10%", "a tenth"), ("十分之一", "百分之十", "10%")),
    0.125: (("1/8", "an eighth"), ("八分之一", "1/8")),
    1.0: (("all", "100%", "all of it"), ("全部", "所有", "100%")),
}


def share_forms(value: float, lang: str) -> list[str]:
    if value in SHARES:
        en, zh = SHARES[value]
        return list(en if lang == "en" else zh + (en[-1:] if lang == "mixed" else ()))
    percent = plain(round(value * 100, 2))
    forms = [f"{percent}%"]
    if lang != "en" and float(percent).is_integer():
        forms.append("百分之" + zh_integer(int(float(percent))))
    return forms


def random_amount(rng: Random) -> float:
    """Amounts spread over the ranges wallets see: small decimals, round numbers, thousands."""
    roll = rng.random()
    if roll < 0.3:
        return float(rng.randint(1, 99))
    if roll < 0.5:
        return float(rng.choice([100, 200, 250, 300, 500, 800, 1000, 1500, 2000, 2500, 3000, 5000, 10000, 20000]))
    if roll < 0.7:
        return round(rng.randint(1, 999) / rng.choice([10, 100]), 2)
    if roll < 0.82:
        return float(rng.randint(100, 9999))
    if roll < 0.88:
        return float(rng.choice([4500, 350, 23000, 20000, 30000, 1_200_000, 2_500_000, 100_000_000, 50000]))
    return round(rng.randint(1, 99) / 1000 * rng.choice([1, 10]), 3)


def random_share(rng: Random) -> float:
    if rng.random() < 0.8:
        return rng.choice(list(SHARES))
    return rng.choice([5, 15, 30, 35, 40, 60, 65, 80, 90]) / 100
