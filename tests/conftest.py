"""Shared fixtures: the conformance vectors beside the checkout, skipped cleanly when absent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXED_NOW = 1_795_000_000


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not beside this checkout)")
    return path


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_cli(*args: object, stdin: str | None = None, timeout: float = 600) -> "subprocess.CompletedProcess[str]":
    """`dmind-edge ARGS` as a real process, so the parts registered as entry points are there as a user sees them."""
    return subprocess.run(
        [sys.executable, "-m", "dmind.edge", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
