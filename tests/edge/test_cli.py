"""The CLI contract, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from dmind.edge.examples import example_requests

from tests.builders import SIGNER, USDC, calldata, request
from tests.conftest import SHARED

CLI = [sys.executable, "-m", "dmind.edge"]
DECISION_KEYS = {"id", "decision", "risk", "confidence", "digest", "intent", "findings", "error", "timings_us"}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_check_reads_stdin_and_prints_one_decision():
    result = run("check", "-", stdin=json.dumps(request("eth_sign", [SIGNER, "0x" + "11" * 32], request_id="abc")))
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert DECISION_KEYS <= set(decision)
    assert decision["id"] == "abc" and decision["decision"] == "BLOCK"
    assert decision["findings"][0]["code"] == "BLIND_SIGNATURE"


def test_check_reads_a_file_and_context_flags_override(tmp_path: Path):
    path = tmp_path / "req.json"
    data = calldata(
        "approve(address,uint256)", ["address", "uint256"], ["0x000000000022D473030F116dDEE9F6B43aC78BA3", 5]
    )
    path.write_text(
        json.dumps(request("eth_sendTransaction", [{"from": SIGNER, "to": USDC, "data": "0x" + data.hex()}]))
    )
    decision = json.loads(run("check", str(path), "--chain-id", "10").stdout)
    call = decision["intent"]["calls"][0]
    assert call["function"] == "approve(address,uint256)" and call["selector"] == "0x095ea7b3"
    assert call["args"] == {"spender": "0x000000000022D473030F116dDEE9F6B43aC78BA3", "amount": "5"}
    assert "SPENDER_UNKNOWN" in {f["code"] for f in decision["findings"]}  # Permit2 is known on chain 1, not 10


def test_batch_keeps_order_and_survives_bad_lines(tmp_path: Path):
    rows = [json.dumps(r) for r in example_requests()[:3]]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([rows[0], "{broken", "", rows[1], "[1, 2]", rows[2]]) + "\n")
    out = tmp_path / "out.jsonl"
    result = run("check", "--batch", str(source), "--out", str(out))
    assert result.returncode == 0, result.stderr
    decisions = [json.loads(line) for line in out.read_text().splitlines()]
    assert [d["id"] for d in decisions] == [1, None, None, 2, None, 3]
    assert [d["error"]["code"] if d["error"] else None for d in decisions] == [
        None,
        "REQUEST_INVALID_JSON",
        "REQUEST_INVALID_JSON",
        None,
        "REQUEST_INVALID",
        None,
    ]


def test_bad_policy_file_is_a_clear_error(tmp_path: Path):
    policy = tmp_path / "p.toml"
    policy.write_text("[thresholds]\ntau_risk = 2\n")
    result = run("check", "-", "--policy", str(policy), stdin="{}")
    assert result.returncode == 2 and "thresholds.tau_risk" in result.stderr


def test_policy_file_is_applied(tmp_path: Path):
    policy = tmp_path / "p.json"
    policy.write_text(
        json.dumps(
            {"policy_id": "strict", "revision": 3, "overrides": {"TRANSFER_RECIPIENT_NOT_SIGNER": {"verdict": "BLOCK"}}}
        )
    )
    row = example_requests()[0]
    decision = json.loads(run("check", "-", "--policy", str(policy), stdin=json.dumps(row)).stdout)
    assert decision["decision"] == "BLOCK" and decision["policy"] == {"id": "strict", "revision": 3}


@pytest.mark.skipif(not (SHARED / "erc7730").exists(), reason="../shared/erc7730 is absent")
def test_descriptors_flag_uses_the_registry():
    # Uniswap SwapRouter02 on mainnet is described in the registry with named parameters.
    data = calldata(
        "exactInputSingle((address,address,uint24,address,uint256,uint256,uint160))",
        ["(address,address,uint24,address,uint256,uint256,uint160)"],
        [(USDC, "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", 500, SIGNER, 10**6, 1, 0)],
    )
    obj = request(
        "eth_sendTransaction",
        [{"from": SIGNER, "to": "0x68b3465833fb72A70ecDF485E0e4C7bD8665Fc45", "data": "0x" + data.hex()}],
    )
    result = run("check", "-", "--descriptors", str(SHARED / "erc7730"), stdin=json.dumps(obj))
    call = json.loads(result.stdout)["intent"]["calls"][0]
    assert call["source"] == "erc7730" and call["label"].lower() == "swap"
    assert call["function"] == "exactInputSingle((address,address,uint24,address,uint256,uint256,uint160))"
    assert call["args"]["params"]["recipient"] == SIGNER


def test_demo_prints_a_table():
    result = run("demo")
    assert result.returncode == 0, result.stderr
    assert "BLOCK" in result.stdout and "ALLOW" in result.stdout and "STEP_UP" in result.stdout


def test_bench_gate_json():
    result = run("bench", "gate", "-n", "2", "--warmup", "1", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["corpus"]["evaluations"] == 2 * len(example_requests())
    assert {"p50", "p95", "p99"} <= set(data["latency_us"]["end_to_end"])
    assert data["import_ms"]["dmind.edge"] > 0 and data["peak_rss_mib"] > 0


def test_a_tier_without_its_extra_names_the_extra():
    import typer
    from dmind.edge.cli import _missing
    from typer.testing import CliRunner

    app = typer.Typer()
    app.command("local", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
        _missing("local", ImportError("no aiohttp", name="aiohttp"))
    )
    app.command("other")(lambda: None)
    result = CliRunner().invoke(app, ["local", "status", "--state", "x"])
    assert result.exit_code == 2 and "dmind-edge[local]" in result.output


def test_check_reads_a_solana_request_and_a_caip2_chain(tmp_path):
    from tests.solana_builders import MAINNET, SOLANA_CASES

    path = tmp_path / "drain.json"
    path.write_text(json.dumps(SOLANA_CASES["SOLANA_AUTHORITY_CHANGE"][0]))
    decision = json.loads(run("check", str(path), "--chain-id", MAINNET).stdout)
    assert decision["decision"] == "BLOCK" and decision["digest_kind"] == "solana_message"
    assert decision["findings"][0]["code"] == "SOLANA_AUTHORITY_CHANGE"
    assert run("check", str(path), "--chain-id", "solana-mainnet").returncode == 2
