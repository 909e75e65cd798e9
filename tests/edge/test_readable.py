"""What people read: amounts in units, both languages, the text view, the verdict written for `device sign`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal, localcontext
from pathlib import Path

from dmind.edge import evaluate_json
from dmind.edge.decode.known_tokens import by_address
from dmind.edge.readable import decision_text
from dmind.edge.render import decision_json
from dmind.edge.types import Lang
from dmind.edge.units import MAX_SHOWN_DECIMALS, decimal_text, native_amount, token_amount
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import ATTACKER, MAX_UINT256, SIGNER, USDC, calldata, request

CLI = [sys.executable, "-m", "dmind.edge"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _read_back(text: str) -> Decimal:
    return Decimal(text.lstrip("≈<").replace(",", ""))


@given(st.integers(0, MAX_UINT256), st.integers(0, 77))
def test_decimal_text_is_exact_or_marked_rounded_for_every_uint256(value, decimals):
    text = decimal_text(value, decimals)
    with localcontext() as ctx:
        ctx.prec = 200
        exact = Decimal(value).scaleb(-decimals)
        places = min(decimals, MAX_SHOWN_DECIMALS)
        if text.startswith("<"):  # dust: nonzero, below half the smallest shown step
            assert 0 < exact < Decimal(1).scaleb(-places) / 2 and _read_back(text) == Decimal(1).scaleb(-places)
        elif text.startswith("≈"):
            assert _read_back(text) != exact and abs(_read_back(text) - exact) <= Decimal(1).scaleb(-places) / 2
        else:
            assert _read_back(text) == exact


def test_an_amount_names_its_token_or_says_it_is_unknown():
    usdc = by_address(1, USDC)
    assert usdc is not None
    one_and_a_half = 3 * 10**usdc.decimals // 2
    assert token_amount(one_and_a_half, USDC, 1).text(Lang.EN) == f"1.5 {usdc.symbol}"
    assert token_amount(MAX_UINT256, USDC, 1).text(Lang.EN) == f"unlimited {usdc.symbol}"
    unknown = token_amount(5, ATTACKER, 1).text(Lang.EN)
    assert "5 base units" in unknown and "unknown token" in unknown
    assert "unknown" in native_amount(10**18, 999_999).text(Lang.EN)  # no symbol guessed for a chain nobody knows
    assert CJK.search(token_amount(5, ATTACKER, 1).text(Lang.ZH))


def _unlimited_approval() -> dict:
    data = calldata("approve(address,uint256)", ["address", "uint256"], [ATTACKER, MAX_UINT256])
    return request("eth_sendTransaction", [{"from": SIGNER, "to": USDC, "data": "0x" + data.hex()}])


def test_one_decision_reads_in_either_language_with_the_same_machine_fields():
    decision = evaluate_json(_unlimited_approval())
    en, zh = decision_json(decision, Lang.EN), decision_json(decision, Lang.ZH)
    assert [f["code"] for f in en["findings"]] == [f["code"] for f in zh["findings"]]
    assert {k: v for k, v in en.items() if k not in ("findings", "explanation")} == {
        k: v for k, v in zh.items() if k not in ("findings", "explanation")
    }
    assert all(CJK.search(f["message"]) for f in zh["findings"]) and CJK.search(zh["explanation"])
    assert not any(CJK.search(f["message"]) for f in en["findings"])
    unlimited = next(f for f in en["findings"] if f["code"] == "APPROVAL_UNLIMITED")
    assert "unlimited USDC" in unlimited["message"]


def test_the_text_view_shows_verdict_findings_and_the_action_in_units():
    decision = evaluate_json(_unlimited_approval())
    text = decision_text(decision, Lang.EN)
    assert decision.verdict in text and "approve" in text
    assert all(f.code in text for f in decision.findings)
    assert "USDC" in text and str(MAX_UINT256) not in text  # the amount in words, the integer left to the JSON
    assert CJK.search(decision_text(decision, Lang.ZH))


def test_check_text_and_chinese_from_the_cli(tmp_path: Path):
    path = tmp_path / "req.json"
    path.write_text(json.dumps(_unlimited_approval()))
    text = subprocess.run(
        [*CLI, "check", str(path), "--format", "text", "--lang", "zh"], capture_output=True, text=True
    )
    assert text.returncode == 0, text.stderr
    assert CJK.search(text.stdout) and "APPROVAL_UNLIMITED" in text.stdout
    with_json = subprocess.run([*CLI, "check", str(path), "--lang", "zh"], capture_output=True, text=True)
    assert CJK.search(json.loads(with_json.stdout)["explanation"])
    bad = subprocess.run([*CLI, "check", str(path), "--lang", "fr"], capture_output=True, text=True)
    assert bad.returncode == 2


def test_verdict_out_without_a_verifier_says_so_and_writes_nothing(tmp_path: Path):
    path = tmp_path / "req.json"
    path.write_text(json.dumps(_unlimited_approval()))
    out = tmp_path / "v.cose"
    result = subprocess.run([*CLI, "check", str(path), "--verdict-out", str(out)], capture_output=True, text=True)
    assert result.returncode == 1 and "verdict" in result.stderr.lower() and not out.exists()
