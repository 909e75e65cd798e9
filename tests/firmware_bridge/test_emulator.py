"""End to end: the real emulator process on UDP loopback, driven by the host client."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dmind.edge.verdict import sign_verdict
from dmind.firmware_bridge.client import Device, DeviceFailure, DeviceTimeout
from eth_account import Account

from tests.builders import SIGNER
from tests.firmware_bridge.conftest import ALLOWED, BLOCKED, FRIEND, STEPPED_UP, VERIFIER_KEY, bundle

CLI = [sys.executable, "-m", "dmind.edge"]


def start(state: Path, keys_dir: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [
            *CLI,
            "device",
            "emulate",
            "--udp",
            "127.0.0.1:0",
            "--state",
            str(state),
            "--debug",
            "--trust-key",
            str(keys_dir / "policy.pub"),
            "--verifier-key",
            str(keys_dir / "verifier.pub"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    assert line, "the emulator did not start"
    return process, json.loads(line)["listening"]


@pytest.fixture
def emulator(tmp_path, keys_dir):
    process, url = start(tmp_path / "state", keys_dir)
    yield url, tmp_path / "state", keys_dir
    process.terminate()
    process.wait(timeout=10)


def test_end_to_end(emulator):
    url, state, keys_dir = emulator
    with Device.open(url) as device:
        assert device.info()["address"] == SIGNER
        loaded = device.load_policy(bundle(3, int(time.time())))  # many packets: the client shows progress for these
        assert loaded["policy_revision"] == 3

        signature = device.sign(ALLOWED)
        assert Account._recover_hash(signature["digest"], signature=signature["signature"]) == SIGNER

        with pytest.raises(DeviceFailure) as refused:
            device.sign(BLOCKED)
        assert refused.value.code == "GATE_BLOCKED"

        with pytest.raises(DeviceFailure) as refused:
            device.sign(STEPPED_UP)
        assert refused.value.code == "STEP_UP_REQUIRED"
        # the emulator evaluates at the wall clock, so the verdict is issued now
        digest = bytes.fromhex(device.evaluate(STEPPED_UP)["digest"][2:])
        other = bytes.fromhex(device.evaluate(ALLOWED)["digest"][2:])
        with pytest.raises(DeviceFailure) as refused:
            device.sign(
                STEPPED_UP,
                verdict=sign_verdict(other, SIGNER, "ALLOW", b"r1", VERIFIER_KEY, int(time.time()) - 5),
                request_id=b"r1",
            )
        assert refused.value.code == "VERDICT_DIGEST_MISMATCH"
        verdict = sign_verdict(digest, SIGNER, "ALLOW", b"r2", VERIFIER_KEY, int(time.time()) - 5)
        stepped = device.sign(STEPPED_UP, verdict=verdict, request_id=b"r2")
        assert Account._recover_hash(stepped["digest"], signature=stepped["signature"]) == SIGNER


def test_policy_survives_a_restart(tmp_path, keys_dir):
    process, url = start(tmp_path / "state", keys_dir)
    try:
        with Device.open(url) as device:
            device.load_policy(bundle(7, int(time.time()), known_spenders={"1": [FRIEND]}))
    finally:
        process.terminate()
        process.wait(timeout=10)
    process, url = start(tmp_path / "state", keys_dir)
    try:
        with Device.open(url) as device:
            assert device.info()["policy_revision"] == 7
            assert device.sign(STEPPED_UP)["decision"] == "ALLOW"  # the spender the bundle added
            with pytest.raises(DeviceFailure) as refused:
                device.load_policy(bundle(6, int(time.time())))
            assert refused.value.code == "BUNDLE_ROLLBACK"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cli_talks_to_the_emulator(emulator, tmp_path):
    url = emulator[0]
    request = tmp_path / "req.json"
    request.write_text(json.dumps(BLOCKED))
    refused = subprocess.run(
        [*CLI, "device", "sign", str(request), "--device", url], capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 1 and "GATE_BLOCKED" in refused.stderr
    info = subprocess.run([*CLI, "device", "info", "--device", url], capture_output=True, text=True, timeout=60)
    assert json.loads(info.stdout)["address"] == SIGNER


def test_no_device_is_a_clear_timeout():
    with pytest.raises(DeviceTimeout):
        Device.open("udp:127.0.0.1:9")


class LossyLink:
    """A UDP relay on loopback that drops, duplicates and corrupts packets at random.

    It stands between the host client and the emulator, both real, so retransmission and
    duplicate handling run over real sockets.
    """

    def __init__(self, target: tuple[str, int], seed: int = 1234) -> None:
        import random
        import socket
        import threading

        # 3% dropped, 1% duplicated, 1% corrupted: seeded, so a failure reproduces
        self.target, self.random, self.count = target, random.Random(seed), 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.client: tuple[str, int] | None = None
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"udp:127.0.0.1:{self.sock.getsockname()[1]}"

    def _run(self) -> None:
        while self.running:
            try:
                packet, addr = self.sock.recvfrom(65536)
            except OSError:
                continue
            destination = self.target if addr != self.target else self.client
            if addr != self.target:
                self.client = addr
            fate = self.random.choices("kdux", weights=(95, 3, 1, 1))[0]
            self.count += 1
            if fate == "d" or destination is None:
                continue  # dropped
            if fate == "x":
                packet = packet[:20] + bytes([packet[20] ^ 0x40]) + packet[21:]  # corrupted
            self.sock.sendto(packet, destination)
            if fate == "u":
                self.sock.sendto(packet, destination)  # duplicated

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


def test_calls_survive_a_lossy_link(emulator):
    url = emulator[0]
    host, port = url.split(":")[1], int(url.split(":")[2])
    link = LossyLink((host, port))
    try:
        with Device.open(link.url) as device:
            for _ in range(3):
                assert device.info()["address"] == SIGNER
                assert device.evaluate(ALLOWED)["decision"] == "ALLOW"
            signature = device.sign(ALLOWED)
            assert Account._recover_hash(signature["digest"], signature=signature["signature"]) == SIGNER
        assert link.count > 0
    finally:
        link.close()


def test_garbage_does_not_wedge_the_emulator(emulator):
    import os
    import socket

    url = emulator[0]
    target = (url.split(":")[1], int(url.split(":")[2]))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for size in (0, 1, 63, 64, 65, 244, 1000):
            sock.sendto(os.urandom(size), target)
        sock.sendto(b"\x80" + b"\x00" * 63, target)  # stray continuation
        sock.sendto(b"\x04\x00\x05\xff\xff" + b"\x00" * 59, target)  # DATA on an unallocated channel, lying length
    with Device.open(url) as device:
        device.ping()  # answered (a lost channel would raise DeviceTimeout)
        assert device.info()["address"] == SIGNER


def test_bench_bridge_json():
    result = subprocess.run([*CLI, "bench", "bridge", "-n", "5", "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["iterations"] == 5 and data["messages_per_second"] > 0


def test_one_peer_cannot_evict_another(emulator):
    import os
    import socket

    from dmind.firmware_bridge.framing import BROADCAST, CHANNEL_REQUEST, encode

    url = emulator[0]
    target = (url.split(":")[1], int(url.split(":")[2]))
    with Device.open(url) as device:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
            for _ in range(100):
                other.sendto(encode(CHANNEL_REQUEST, BROADCAST, os.urandom(8))[0], target)
        time.sleep(0.2)
        assert device.info()["address"] == SIGNER


def test_cli_signs_with_the_verdict_file_alone_or_after_a_confirmation(emulator, tmp_path):
    from dmind.edge import evaluate_json

    url = emulator[0]
    request = tmp_path / "req.json"
    request.write_text(json.dumps(STEPPED_UP))
    digest = evaluate_json(STEPPED_UP).digest
    verdict = tmp_path / "v.cose"
    verdict.write_bytes(sign_verdict(digest, SIGNER, "ALLOW", b"from-the-verdict", VERIFIER_KEY, int(time.time())))

    def sign(*extra: str) -> subprocess.CompletedProcess:
        args = [*CLI, "device", "sign", str(request), "--device", url, *extra]
        return subprocess.run(args, capture_output=True, text=True, timeout=60)

    signed = sign("--verdict", str(verdict))  # the request id the verdict answers travels inside it
    assert signed.returncode == 0, signed.stderr
    assert json.loads(signed.stdout)["digest"] == "0x" + digest.hex()
    assert "STEP_UP_REQUIRED" in sign().stderr
    confirm = [*CLI, "device", "confirm", "--device", url]
    assert subprocess.run([*confirm, "--deny"], capture_output=True, timeout=60).returncode == 0
    assert sign().returncode == 1  # the user said no on the device
    assert subprocess.run(confirm, capture_output=True, timeout=60).returncode == 0
    assert sign().returncode == 0
    assert sign().returncode == 1  # one confirmation, one signature


def test_an_incomplete_transaction_is_not_signable_and_says_what_it_lacks(emulator, tmp_path):
    url = emulator[0]
    incomplete = json.loads(json.dumps(ALLOWED))
    del incomplete["request"]["params"][0]["gas"], incomplete["request"]["params"][0]["nonce"]
    request = tmp_path / "req.json"
    request.write_text(json.dumps(incomplete))
    result = subprocess.run(
        [*CLI, "device", "sign", str(request), "--device", url], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and "NOT_SIGNABLE" in result.stderr
    assert "gas" in result.stderr and "nonce" in result.stderr
