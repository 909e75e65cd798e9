"""The bench result as tables (terminal, Markdown, CSV), as JSON, and as PNG charts.

Every format is rendered from one list of `Table`s, so they always say the same thing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import paper


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    notes: tuple[str, ...] = field(default=())


def _pct(value) -> str:
    return "-" if value is None or value != value else f"{value * 100:.1f}%"


def _ms(us: float) -> str:
    return f"{us / 1000:.2f}"


def _paper_latency(path: str) -> tuple[str, str, str]:
    figures = paper.LATENCY_MS.get(path)
    return tuple(str(v) for v in figures) if figures else ("-", "-", "-")


def latency_table(section: dict) -> Table:
    rows = []
    for name, p in section["latency_us"].items():
        path = name.split(", ")[0]
        rows.append((name, _ms(p["p50"]), _ms(p["p95"]), _ms(p["p99"]), *_paper_latency(path)))
    notes = (
        "Real processes on loopback: the local verifier daemon (TLS 1.3) and the reference cloud endpoint, started by "
        "the bench.",
        "The paper's figures include model inference on each tier (4B local, 21B cloud); ours are transport, rules and "
        "the nano model.",
    )
    if not section["nano"]:
        notes += ("nano on: not measured (the [nano] runtime is not installed).",)
    return Table(
        f"signing-path latency (ms), {section['iterations']} requests per path (paper Table 5)",
        ("path", "p50", "p95", "p99", "paper p50", "paper p95", "paper p99"),
        rows,
        notes,
    )


def structured_table(section: dict) -> Table:
    metrics = ("function_recognition", "argument_extraction", "protocol_adherence", "multi_turn_success")
    rows = []
    for runtime, summary in section["runtimes"].items():
        if "error" in summary:
            rows.append((runtime, *(["-"] * 4), "-", summary["error"]))
            continue
        overall = summary["all"]
        rows.append((runtime, *(_pct(overall[m]) for m in metrics), str(overall["turns"]), ""))
    rows.append(("DMind-3 (paper)", *(_pct(paper.STRUCTURED.get(m)) for m in metrics), "-", "paper figures"))
    return Table(
        f"structured behaviour, {section['conversations']} held-out conversations (paper Table 2)",
        (
            "runtime",
            "function recognition",
            "argument extraction",
            "protocol adherence",
            "multi-turn success",
            "turns",
            "note",
        ),
        rows,
    )


def ablation_table(section: dict) -> Table:
    rows = [
        (name, _pct(v["unsafe_allow_rate"]), _pct(v["false_block_rate"]), _pct(v["step_up_left"]))
        for name, v in section["variants"].items()
    ]
    return Table(
        f"ablations: {section['unsafe']} unsafe and {section['safe']} safe requests (paper Table 4, measured as rates)",
        ("variant", "unsafe ALLOW", "false BLOCK", "STEP_UP left"),
        rows,
        ("The local verifier runs in process here; the private context is one seeded user's.",),
    )


def audit_table(section: dict) -> Table:
    rows = [
        (
            profile,
            str(r["requests"]),
            str(r["violations"]),
            f"{r['violation_rate_pct']:.2f}%",
            f"{r['mean_tokens']:.1f}",
            f"{paper.SANITIZATION_VIOLATIONS[profile] * 100:.2f}%" if profile in paper.SANITIZATION_VIOLATIONS else "-",
        )
        for profile, r in section["profiles"].items()
    ]
    return Table(
        f"sanitization audit: {section['requests']} requests with planted secrets (paper Table 6)",
        ("profile", "requests", "violations", "rate", "mean size (≈tokens)", "paper rate"),
        rows,
    )


def runtime_table(section: dict) -> Table:
    rows, base = [], None
    for r in section["rows"]:
        if "error" in r:
            rows.append((r["model"], r["quantization"], "-", r["backend"], "-", "-", "-", "-", "-", r["error"]))
            continue
        base = base or r["decode_tokens_per_s"]
        rows.append(
            (
                r["model"],
                r["quantization"],
                f"{r['bytes'] / 2**20:.1f}",
                r["backend"],
                str(r["threads"]),
                f"{r['prefill_tokens_per_s']:.0f}",
                f"{r['decode_tokens_per_s']:.0f}",
                f"{r['ttft_us']['p50'] / 1000:.1f}",
                f"{r['peak_rss_mib']:.0f}",
                f"{r['decode_tokens_per_s'] / base:.2f}×",
            )
        )
    for r in (section.get("real_size") or {}).get("rows", []):
        rows.append(
            (
                r["model"],
                r["quantization"],
                f"{r['bytes'] / 2**20:.0f}",
                r["backend"],
                str(r["threads"]),
                f"{r['prefill_tokens_per_s']:.0f}",
                f"{r['decode_tokens_per_s']:.1f}",
                f"{r['ttft_us']['p50'] / 1000:.0f}",
                f"{r['peak_rss_mib']:.0f}",
                "recorded",
            )
        )
    prompt = next((r["prompt_tokens"] for r in section["rows"] if "prompt_tokens" in r), "-")
    return Table(
        f"runtimes: {prompt}-token prompt, then decode (llama-bench style)",
        (
            "model",
            "quant",
            "MiB",
            "backend",
            "threads",
            "prefill tok/s",
            "decode tok/s",
            "TTFT ms",
            "peak RSS MiB",
            "decode vs first row",
        ),
        rows,
        (
            "Published anchor: FunctionGemma 270M int8 on a phone CPU (4 threads), about "
            f"{paper.ON_DEVICE['decode_tokens_per_s']:.0f} "
            f"decode tokens/s and {paper.ON_DEVICE['ttft_s']} s to first token.",
            "Rows marked recorded come from bench/results/dmind-nano-270m.json (python -m dmind.bench.real_size): "
            "the default model exported to every format.",
        ),
    )


def tables(result: dict) -> list[Table]:
    return [
        latency_table(result["paths"]),
        structured_table(result["structured"]),
        ablation_table(result["ablations"]),
        audit_table(result["audit"]),
        runtime_table(result["runtimes"]),
    ]


def machine_line(result: dict) -> str:
    m = result["machine"]
    return (
        f"Python {m['python']} on {m['platform']} ({m['cpus']} CPUs), commit {m['git_commit'][:12]}, "
        f"dmind-edge {m['packages'].get('dmind-edge', '?')}; run took {result['seconds']} s"
    )


def to_markdown(result: dict) -> str:
    out = ["# dmind-edge bench", "", machine_line(result), ""]
    for table in tables(result):
        out += [f"## {table.title}", "", "| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
        out += ["| " + " | ".join(row) + " |" for row in table.rows]
        out += [""] + [f"- {note}" for note in table.notes] + [""]
    if result.get("artifacts_note"):
        out.append(f"Runtimes: {result['artifacts_note']}.")
    return "\n".join(out) + "\n"


def to_csv(result: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for table in tables(result):
        writer.writerow(["table", *table.columns])
        for row in table.rows:
            writer.writerow([table.title, *row])
    return buffer.getvalue()


def to_json(result: dict) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def print_tables(result: dict, console) -> None:
    from rich.table import Table as RichTable

    for table in tables(result):
        rich = RichTable(title=table.title, caption="\n".join(table.notes) or None)
        for i, column in enumerate(table.columns):
            rich.add_column(column, justify="left" if i == 0 else "right")
        for row in table.rows:
            rich.add_row(*row)
        console.print(rich)
    console.print(machine_line(result))
    if result.get("artifacts_note"):
        console.print(f"runtimes: {result['artifacts_note']}")


def plot(result: dict, directory: Path) -> list[Path]:
    """`latency_cdf.png` (one curve per path) and `runtime_metrics.png` (metric bars per runtime)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, samples in result["paths"]["samples_us"].items():
        if samples:
            ordered = sorted(s / 1000 for s in samples)
            ax.plot(ordered, [(i + 1) / len(ordered) for i in range(len(ordered))], label=name)
    ax.set_xscale("log")
    ax.set_xlabel("latency (ms, log scale)")
    ax.set_ylabel("share of requests")
    ax.set_title("signing-path latency CDF")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    written.append(directory / "latency_cdf.png")
    fig.tight_layout()
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)

    metrics = ("function_recognition", "argument_extraction", "protocol_adherence", "multi_turn_success")
    runtimes = {name: s["all"] for name, s in result["structured"]["runtimes"].items() if "all" in s}
    fig, ax = plt.subplots(figsize=(8, 5))
    width = 0.8 / max(1, len(runtimes))
    for i, (name, row) in enumerate(runtimes.items()):
        values = [0 if row[m] != row[m] else row[m] * 100 for m in metrics]
        ax.bar([j + i * width for j in range(len(metrics))], values, width, label=name)
    ax.set_xticks(
        [j + width * (len(runtimes) - 1) / 2 for j in range(len(metrics))], [m.replace("_", "\n") for m in metrics]
    )
    ax.set_ylabel("%")
    ax.set_ylim(0, 105)
    ax.set_title("nano model metrics per runtime")
    ax.legend(fontsize=7)
    written.append(directory / "runtime_metrics.png")
    fig.tight_layout()
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)
    return written
