"""Reading amounts and shares back from how people write them; the writers are the data generator's, a separate code path."""

from __future__ import annotations

import pytest
from dmind.edge.nano.quantities import en_number, quantities_in, zh_number
from dmind.export.data.numbers import amount_forms, plain, share_forms, zh_integer
from hypothesis import given
from hypothesis import strategies as st


@given(st.integers(1, 99_999_999), st.booleans())
def test_chinese_numerals_read_back(n, liang):
    assert zh_number(zh_integer(n, liang=liang)) == n
    assert quantities_in([f"把{zh_integer(n, liang=liang)}个SOL换掉"])[0] == [n]


@given(st.integers(1, 999_999), st.integers(0, 3), st.sampled_from(["en", "zh", "mixed"]))
def test_every_written_form_of_an_amount_reads_back(whole, places, lang):
    value = whole / 10**places
    for form in amount_forms(value, lang):
        assert quantities_in([f"swap {form} SOL"])[0][0] == value, form


@pytest.mark.parametrize("value", [0.5, 0.25, 0.75, 0.3333, 0.2, 0.1, 1.0, 0.05, 0.35, 0.9])
@pytest.mark.parametrize("lang", ["en", "zh", "mixed"])
def test_every_written_form_of_a_share_reads_back_and_is_not_an_amount(value, lang):
    for form in share_forms(value, lang):
        amounts, shares = quantities_in([f"sell {form} of my SOL"])
        assert shares == [value] and amounts == [], form


@pytest.mark.parametrize(
    "text, amounts, shares",
    [
        ("swap 1.5k SOL and 2,500 USDC", [1500, 2500], []),
        ("用1.5kSOL买pepe", [1500, 1.5], []),  # the k may be the number's or the symbol's: both stay possible
        ("1.5万U", [15000], []),
        ("five hundred and twenty bonk", [520], []),
        ("a hundred", [100], []),
        ("fifty percent of my eth, then two thirds", [], [0.5, 0.6667]),
        ("三分之一的ETH和百分之二十的SOL", [], [0.3333, 0.2]),
        ("卖掉全部Bonk", [], [1.0]),
    ],
)
def test_examples(text, amounts, shares):
    assert quantities_in([text]) == (amounts, shares)


@pytest.mark.parametrize("text", ["查一下sol", "用一些SOL买", "swap a bit of sol", "swap 0 SOL", ""])
def test_no_number_where_none_was_said(text):
    assert quantities_in([text]) == ([], [])


def test_unreadable_words_are_refused():
    with pytest.raises(ValueError):
        zh_number("五x")
    with pytest.raises(ValueError):
        en_number("five apples")


@given(st.text(max_size=80))
def test_any_text_reads_without_crashing_into_writable_numbers(text):
    amounts, shares = quantities_in([text])
    assert all(v > 0 and float(plain(v)) == v for v in amounts) and all(0 <= v <= 1 for v in shares)


@pytest.mark.parametrize(
    "text, amounts, shares",
    [
        ("卖四千五个", [4500.0], []),  # the last unit left unsaid
        ("三百五", [350.0], []),
        ("两万三", [23000.0], []),
        ("一百零五", [105.0], []),  # a 零 says the digit is units
        ("3w USDC", [30000.0], []),  # w is 万 as typed in pinyin
        ("2万 个", [20000.0], []),
        ("1.2m bonk", [1200000.0], []),
        ("卖三成", [], [0.3]),  # 成 is a tenth
        ("清仓", [], [1.0]),
        ("梭哈", [], [1.0]),
        ("sell my entire bag", [], [1.0]),
        ("two thirds of it", [], [0.6667]),
        ("sell 3 no wait 5 SOL", [5.0], []),  # a self-correction keeps the last number
        ("卖 80 个，不对，8 个", [8.0], []),
        ("sell 20%, sorry I mean 30%", [], [0.3]),
        ("make it 40% instead", [], [0.4]),  # a correction with nothing before it takes nothing away
        ("sell 10 sol sorry", [10.0], []),  # nothing after the correction: what was said stands
        ("sell 3/4 of my crv", [], [0.75]),  # digits over digits are a share
        ("trim 1/8 off the stack", [], [0.125]),
        ("sell half a sol", [0.5], []),  # a fraction of one thing is an amount
        ("dump 1/2 an eth", [0.5], []),
        ("half a mil of it", [500000.0], []),
        ("a quarter of a mil", [250000.0], []),
        ("two and a half eth", [2.5], []),
        ("卖两个半", [2.5], []),
        ("换半个 ETH", [0.5], []),
        ("sell half my sol", [], [0.5]),  # a fraction of a holding is a share
    ],
)
def test_the_forms_the_conventions_name_read_as_they_say(text, amounts, shares):
    assert quantities_in([text]) == (amounts, shares)


def test_a_number_too_large_for_any_share_is_no_share_and_no_error():
    """Found by the fuzz target `nano_words`: quantizing "2%999…9" raised decimal.InvalidOperation."""
    for text in ("2%" + "9" * 78, "9" * 78 + "%", "百分之" + "九" * 40 + "亿"):
        _, shares = quantities_in([text])
        assert all(0 <= share <= 1 for share in shares) and 0.02 not in quantities_in(["9" * 78 + "%"])[1]
