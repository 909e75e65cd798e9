"""`dmind-edge bench`: the ablation corpus says what each part contributes, and a miniature run renders every table."""

from __future__ import annotations

import csv
import io
import json

import pytest

pytest.importorskip("aiohttp")
pytest.importorskip("onnxruntime")

from dmind.bench.ablations import corpus, run_ablations  # noqa: E402
from dmind.bench.report import tables, to_csv, to_json, to_markdown  # noqa: E402
from dmind.bench.suite import Sizes, run_suite  # noqa: E402

from tests.conftest import run_cli  # noqa: E402


@pytest.fixture(scope="module")
def ablations():
    return run_ablations(88)


def test_the_corpus_is_labelled_both_ways_and_seeded():
    _, cases = corpus(44)
    assert {c.unsafe for c in cases} == {True, False}
    assert [c.request for c in corpus(44)[1]] == [c.request for c in cases]


def test_step_up_is_what_keeps_unsafe_requests_from_being_signed(ablations):
    rows = ablations["variants"]
    assert rows["full stack"]["unsafe_allow_rate"] < rows["no step-up, user signs"]["unsafe_allow_rate"]
    assert rows["full stack"]["false_block_rate"] <= rows["no step-up, wallet refuses"]["false_block_rate"]
    assert rows["full stack"]["step_up_left"] == 0


def test_the_full_stack_signs_nothing_unsafe_and_blocks_nothing_safe(ablations):
    full = ablations["variants"]["full stack"]
    assert full["unsafe_allow_rate"] == 0 and full["false_block_rate"] == 0


def test_address_poisoning_is_caught_at_the_edge_from_the_wallets_known_addresses(ablations):
    # even where nobody confirms a STEP_UP, a look-alike of a known address is blocked by the edge itself
    signs = ablations["variants"]["no step-up, user signs"]["by_family"]
    for family in ("send ETH to a poisoned look-alike", "send USDC to a poisoned look-alike"):
        assert signs[family]["wrong"] == 0


def test_each_local_part_catches_what_the_other_does_not(ablations):
    full, no_private, no_cross = (
        ablations["variants"][name]["by_family"]
        for name in (
            "full stack",
            "local verifier without private context",
            "local verifier without cross-tier consistency",
        )
    )
    tampered = "tampered display: approval shown as a payment"
    assert full[tampered]["wrong"] == 0 < no_cross[tampered]["wrong"]
    private = "approve a spender never used"
    assert full[private]["wrong"] == 0 < no_private[private]["wrong"]


@pytest.fixture(scope="module")
def miniature():
    stages = []
    sizes = Sizes(
        path_iterations=2, conversations=2, ablation_cases=22, audit_requests=40, prompt_tokens=16, decode_tokens=4
    )
    return run_suite(sizes, progress=lambda stage, done, total: stages.append(stage)), stages


def test_a_miniature_run_fills_all_five_tables(miniature):
    result, stages = miniature
    rendered = tables(result)
    assert len(rendered) == 5 and all(t.rows for t in rendered)
    assert {"signing paths", "structured behaviour", "ablations", "sanitization audit", "runtimes"} <= set(stages)
    assert set(result["paths"]["latency_us"]) >= {
        "edge, nano off",
        "edge → local, nano off",
        "edge → cloud, nano off",
        "edge → cloud → local, nano off",
    }
    assert result["machine"]["git_commit"] and result["machine"]["packages"]["dmind-edge"]
    row = result["runtimes"]["rows"][0]
    assert "error" not in row and row["decode_tokens_per_s"] > 0 and row["peak_rss_mib"] > 0


def test_every_format_says_the_same(miniature, tmp_path):
    from dmind.bench.report import plot

    result, _ = miniature
    markdown, table_csv = to_markdown(result), to_csv(result)
    assert json.loads(to_json(result))["paths"]["iterations"] == result["paths"]["iterations"]
    for table in tables(result):
        assert f"## {table.title}" in markdown
        assert sum(1 for r in csv.reader(io.StringIO(table_csv)) if r[0] == table.title) == len(table.rows)
    for path in plot(result, tmp_path):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_refuses_an_unknown_format():
    result = run_cli("bench", "--quick", "--format", "xml")
    assert result.returncode == 2 and "--format" in result.stderr


def test_bench_nano_measures_whole_turns_against_token_by_token_decoding():
    from dmind.bench.nano import VARIANTS, run_nano_bench
    from dmind.edge.nano import MINIATURE_DIR

    result = run_nano_bench(3, MINIATURE_DIR, threads=1)
    per_turn = result["per_turn"]
    assert set(per_turn) == set(VARIANTS) and result["turns"] >= 3 and result["threads"] == 1
    # fast-forward reads the same tokens in fewer passes; every pass but the prompt's reads one token otherwise
    assert per_turn["fast-forward"]["forward_passes_per_turn"] <= per_turn["token by token"]["forward_passes_per_turn"]
    assert per_turn["token by token"]["forward_passes_per_turn"] >= per_turn["token by token"]["tokens_per_turn"]
    assert 0 <= result["same_output_fast_forward_vs_token_by_token"] <= 1
    turn = result["latency_us"]["turn, fast-forward"]
    assert 0 < turn["p50"] <= turn["p95"] <= turn["max"] and result["model_bytes"] > 0
