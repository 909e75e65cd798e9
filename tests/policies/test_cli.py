"""`dmind-edge policy …` and `check --policy bundle.cbor`, run as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.builders import USDC, calldata, eip1559, raw_tx_request

CLI = [sys.executable, "-m", "dmind.edge"]
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd)


def _source(tmp: Path, revision: int, spenders: list[str] | None = None) -> Path:
    assert run("policy", "init", tmp / "policy.toml", "--force").returncode == 0
    text = (tmp / "policy.toml").read_text().replace("revision = 1", f"revision = {revision}")
    if spenders:
        text = text.replace(
            '[known_spenders]\n"1" = [', '[known_spenders]\n"1" = [\n' + "".join(f'  "{s}",\n' for s in spenders)
        )
    path = tmp / f"policy-{revision}.toml"
    path.write_text(text)
    return path


def _bundle(tmp: Path, revision: int, spenders: list[str] | None = None) -> Path:
    payload, bundle = tmp / f"p{revision}.cbor", tmp / f"b{revision}.cbor"
    built = run("policy", "build", _source(tmp, revision, spenders), "--out", payload)
    assert built.returncode == 0, built.stderr
    signed = run("policy", "sign", payload, "--key", tmp / "keys" / "vendor.key", "--out", bundle)
    assert signed.returncode == 0, signed.stderr
    return bundle


def test_end_to_end_roll_forward_restart_and_tamper(tmp_path: Path):
    assert run("policy", "keygen", "--out", tmp_path / "keys", "--name", "vendor").returncode == 0
    pub, state = tmp_path / "keys" / "vendor.pub", tmp_path / "device"
    b5, b4, b6 = _bundle(tmp_path, 5), _bundle(tmp_path, 4), _bundle(tmp_path, 6)

    def install(bundle: Path) -> subprocess.CompletedProcess:
        return run("policy", "install", bundle, "--state", state, "--trust-key", pub)

    assert install(b5).returncode == 0
    rollback = install(b4)
    assert rollback.returncode == 1 and "BUNDLE_ROLLBACK" in rollback.stderr and "unchanged" in rollback.stderr
    assert json.loads(install(b6).stdout)["activated"]["revision"] == 6
    # a new process is a restart: the device state on disk says 6
    assert json.loads(run("policy", "verify", state / "active.cbor", "--trust-key", pub).stdout)["revision"] == 6
    tampered = tmp_path / "tampered.cbor"
    data = bytearray(_bundle(tmp_path, 7).read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    refused = install(tampered)
    assert refused.returncode == 1 and "BUNDLE_" in refused.stderr
    assert json.loads(run("policy", "verify", state / "active.cbor", "--trust-key", pub).stdout)["revision"] == 6
    assert install(b6).returncode == 1  # replaying the active revision is a rollback too


def test_check_with_a_signed_bundle_changes_decisions(tmp_path: Path):
    assert run("policy", "keygen", "--out", tmp_path / "keys", "--name", "vendor").returncode == 0
    pub = tmp_path / "keys" / "vendor.pub"
    request = json.dumps(
        raw_tx_request(eip1559(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [FRIEND, 10])))
    )
    before = json.loads(run("check", "-", "--policy", _bundle(tmp_path, 2), "--trust-key", pub, stdin=request).stdout)
    after = json.loads(
        run("check", "-", "--policy", _bundle(tmp_path, 3, [FRIEND]), "--trust-key", pub, stdin=request).stdout
    )
    assert before["decision"] == "STEP_UP" and "SPENDER_UNKNOWN" in {f["code"] for f in before["findings"]}
    assert after["decision"] == "ALLOW" and after["policy"]["revision"] == 3
    unpinned = run("check", "-", "--policy", _bundle(tmp_path, 3), stdin=request)
    assert unpinned.returncode == 2 and "TRUST_KEY_MISSING" in unpinned.stderr


def test_plain_policy_file_is_flagged_unsigned(tmp_path: Path):
    request = json.dumps(raw_tx_request(eip1559(FRIEND, value=1)))
    decision = json.loads(run("check", "-", "--policy", _source(tmp_path, 1), stdin=request).stdout)
    assert "POLICY_UNSIGNED" in {f["code"] for f in decision["findings"]}


def test_inspect_and_diff(tmp_path: Path):
    assert run("policy", "keygen", "--out", tmp_path / "keys", "--name", "vendor").returncode == 0
    a, b = _bundle(tmp_path, 1), _bundle(tmp_path, 2, [FRIEND])
    shown = run("policy", "inspect", a, "--trust-key", tmp_path / "keys" / "vendor.pub")
    assert shown.returncode == 0 and "verified" in shown.stdout and "builtin-default" in shown.stdout
    changes = run("policy", "diff", a, b).stdout
    assert "revision" in changes and FRIEND.lower() in changes


def test_keygen_refuses_to_overwrite(tmp_path: Path):
    assert run("policy", "keygen", "--out", tmp_path).returncode == 0
    again = run("policy", "keygen", "--out", tmp_path)
    assert again.returncode == 2 and "FILE_EXISTS" in again.stderr
    assert (tmp_path / "policy-signer.key").stat().st_mode & 0o077 == 0


def test_bench_policy_json():
    result = run("bench", "policy", "-n", "3", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["iterations"] == 3 and {"p50", "p99"} <= set(data["latency_us"]["verify"])
