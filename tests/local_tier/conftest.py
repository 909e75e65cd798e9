"""The verifier daemon as a real process on loopback, for the daemon's and the console's tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "dmind.edge"]


@pytest.fixture
def daemon(tmp_path):
    state = tmp_path / "daemon"
    process = subprocess.Popen(
        [*CLI, "local", "serve", "--listen", "127.0.0.1:0", "--console", "127.0.0.1:0", "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    info = json.loads(process.stdout.readline())  # type: ignore[union-attr]
    yield state, info
    process.terminate()
    process.wait(timeout=10)


def offer_uri(state: Path) -> str:
    result = subprocess.run([*CLI, "local", "pair", "--state", str(state)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return next(line for line in result.stdout.splitlines() if line.startswith("dmind-pair:"))
