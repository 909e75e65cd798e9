"""Every CLI verb on garbage: a stable code and a sentence, exit 2, never a traceback (or, for `check`, a BLOCK)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.edge.cli_garbage import GARBAGE, NO_REQUEST_INPUT

CODE = re.compile(r"\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[list[str], list[dict]]:
    folder = tmp_path_factory.mktemp("garbage")
    result = subprocess.run(
        [sys.executable, "-m", "tests.edge.cli_garbage", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return lines[0]["verbs"], lines[1:]


def test_every_verb_is_either_fed_garbage_or_reads_no_request(runs):
    verbs, _ = runs
    assert set(verbs) == set(GARBAGE) | NO_REQUEST_INPUT


def test_garbage_gets_a_code_a_sentence_and_exit_2(runs):
    _, results = runs
    assert len(results) == sum(len(v) for v in GARBAGE.values())
    for r in results:
        assert "Traceback" not in r["stderr"] + r["stdout"], r
        if r["verb"] == "check" and r["status"] == 0:  # bad request content is a decision, as on standard input
            decisions = [json.loads(line) for line in r["stdout"].splitlines()]
            assert decisions and all(d["decision"] == "BLOCK" and d["error"] for d in decisions), r
        else:
            assert r["status"] == 2 and CODE.search(r["stderr"]), r
