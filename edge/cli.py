"""The `dmind-edge` command: check requests, run the demo, measure the gate."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any, Optional

import typer
from dmind.policies import Policy, PolicyError, default_policy
from dmind.policies.loader import load_policy_file
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .cli_boundary import read_input, run
from .cli_policy import app as policy_app
from .cli_policy import verify_file
from .decode.erc7730 import DescriptorIndex
from .errors import EdgeError
from .findings import Finding, finding
from .pipeline import evaluate_json, failed_decision
from .readable import decision_text
from .render import decision_json
from .requests_io import iter_jsonl, load_request_text
from .types import Decision, Lang, Verdict

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Signing-time security gate for wallet requests.")
bench_app = typer.Typer(
    invoke_without_command=True,
    help="Measure the whole stack (`dmind-edge bench [--quick]`), or one part "
    "(`dmind-edge bench gate`, `bench local`, …).",
)
app.add_typer(bench_app, name="bench")
app.add_typer(policy_app, name="policy")
err = Console(stderr=True)

VERDICT_STYLE = {Verdict.ALLOW: "green", Verdict.STEP_UP: "yellow", Verdict.BLOCK: "bold red"}


COSE_SIGN1_PREFIX = b"\xd2"  # CBOR tag 18: a signed bundle rather than a plain policy file


def _load_policy(
    path: Optional[Path], trust_keys: list[Path]
) -> tuple[Policy, tuple[Finding, ...], Optional[tuple[str, ...]]]:
    """The policy to enforce, findings about it and the chains it governs: a signed bundle (its scope), or a plain file
    flagged unsigned (every chain)."""
    if path is None:
        return default_policy(), (), None
    try:
        signed = path.read_bytes()[:1] == COSE_SIGN1_PREFIX
    except OSError as exc:
        err.print(f"[red]cannot read[/red] {path}: {exc.strerror}")
        raise typer.Exit(2) from exc
    if signed:
        bundle = verify_file(path, trust_keys, status=2)  # a policy that does not verify is a bad option
        err.print(
            f"policy bundle {bundle.info.bundle_id} revision {bundle.info.revision} verified (kid {bundle.kid.hex()})"
        )
        return bundle.policy, (), bundle.info.scope
    try:
        policy = load_policy_file(path)
    except PolicyError as exc:
        err.print(f"[red]{exc.code}[/red] {exc}")
        raise typer.Exit(2) from exc
    err.print(f"[yellow]warning[/yellow] {path} is an unsigned policy file: for development only")
    return (
        policy,
        (finding("POLICY_UNSIGNED", policy_id=policy.policy_id, revision=policy.revision, name=path.name),),
        None,
    )


def _load_descriptors(path: Optional[Path]) -> Optional[DescriptorIndex]:
    if path is None:
        return None
    try:
        index = DescriptorIndex.load(path)
    except FileNotFoundError as exc:
        err.print(f"[red]DESCRIPTORS_UNREADABLE[/red] {exc}")
        raise typer.Exit(2) from exc
    err.print(
        f"loaded {len(index)} ERC-7730 formats from {index.files} descriptor files ({len(index.skipped)} skipped)"
    )
    return index


def _load_pairing(directory: Optional[Path]):
    if directory is None:
        return None
    from .local_protocol import PairingError
    from .pairing import load_pairing

    try:
        return load_pairing(directory)
    except PairingError as exc:
        err.print(f"[red]{exc.code}[/red] {exc.message}")
        raise typer.Exit(2) from exc


def _decide_text(
    text: str | bytes,
    policy: Policy,
    notes: tuple[Finding, ...],
    descriptors: Optional[DescriptorIndex],
    context: dict[str, Any],
    pairing: Any = None,
    reader: Any = None,
) -> Decision:
    try:
        obj = load_request_text(text)
    except EdgeError as exc:
        return failed_decision(exc.code, exc.message, exc.where, policy, None, {})
    decision = evaluate_json(obj, policy, descriptors, policy_notes=notes, intent_reader=reader, **context)
    if pairing is not None and decision.verdict == Verdict.STEP_UP:
        from .escalation import escalate

        decision = escalate(decision, obj, pairing, policy)
    return decision


class Format(StrEnum):
    """How `check` prints a decision."""

    JSON = "json"
    TEXT = "text"


def _shown(decision: Decision, lang: Lang, form: Format) -> str:
    if form == Format.TEXT:
        return decision_text(decision, lang)
    return json.dumps(decision_json(decision, lang), ensure_ascii=lang == Lang.EN) + "\n"


def _write_verdict(decision: Decision, path: Path) -> None:
    """The local verifier's signed verdict, for `dmind-edge device sign --verdict`; refuse to write an empty file."""
    if decision.verdict_token is None:
        err.print(
            f"[red]no verifier verdict to write[/red]: the decision is {decision.verdict} and the local verifier "
            "did not sign one (it answers only STEP_UP decisions escalated with --local)"
        )
        raise typer.Exit(1)
    try:
        path.write_bytes(decision.verdict_token)
    except OSError as exc:
        err.print(f"[red]cannot write[/red] {path}: {exc.strerror}")
        raise typer.Exit(2) from exc
    err.print(f"the verifier's {decision.verdict} verdict is in {path}")


@app.command()
def check(
    file: Optional[str] = typer.Argument(None, help="A JSON request file, or - for standard input."),
    batch: Optional[Path] = typer.Option(
        None, "--batch", help="JSON Lines of requests: one decision per line, in order."
    ),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Where --batch writes its decisions (default: standard output)."
    ),
    descriptors: Optional[Path] = typer.Option(None, "--descriptors", help="ERC-7730 registry directory."),
    policy_file: Optional[Path] = typer.Option(
        None, "--policy", help="Signed bundle (.cbor), or JSON/TOML for development (default: built-in)."
    ),
    trust_key: list[Path] = typer.Option(
        [], "--trust-key", help="Pinned public key (PEM) that verifies --policy bundles."
    ),
    local: Optional[Path] = typer.Option(
        None, "--local", help="Pairing directory: escalate STEP_UP to the paired local verifier."
    ),
    chain_id: Optional[str] = typer.Option(
        None, "--chain-id", help="The wallet's chain: an EIP-155 id or a CAIP-2 id, e.g. solana:5eykt4Us… (overrides)."
    ),
    account: Optional[str] = typer.Option(None, "--from", help="The wallet's account (overrides the request's)."),
    origin: Optional[str] = typer.Option(None, "--origin", help="The requesting site (overrides the request's)."),
    nano_model: Optional[Path] = typer.Option(
        None, "--nano-model", help="Nano model directory that reads stated intents in words (default: built-in)."
    ),
    backend: str = typer.Option("onnx", "--backend", help="Runtime of the nano model."),
    lang: Lang = typer.Option(Lang.EN, "--lang", help="Language of messages and explanations."),
    form: Format = typer.Option(Format.JSON, "--format", help="json (the contract) or text (to read)."),
    verdict_out: Optional[Path] = typer.Option(
        None, "--verdict-out", help="Write the local verifier's signed verdict here (with --local), for `device sign`."
    ),
) -> None:
    """Decide one request (JSON) or a batch (JSON Lines); print JSON decisions, or text with --format text.

    A request's `stated_intent` may be the user's words, read by the nano model when its extra
    is installed, or a call `{"name", "arguments"}`; the payload is checked against it.
    """
    from .nano.cli import BuildBar
    from .nano.reader import ModelReader

    policy, notes, scope = _load_policy(policy_file, trust_key)
    index = _load_descriptors(descriptors)
    if chain_id is not None and not (
        chain_id.isdigit() or re.fullmatch(r"(eip155:[1-9][0-9]*|solana:[1-9A-HJ-NP-Za-km-z]{32})", chain_id)
    ):
        err.print(
            f"[red]--chain-id must be a chain id (1) or a CAIP-2 id (eip155:1, solana:5eykt4Us…), not {chain_id[:40]!r}[/red]"
        )
        raise typer.Exit(2)
    chain = int(chain_id) if chain_id is not None and chain_id.isdigit() else chain_id
    context = {"chain_id": chain, "account": account, "origin": origin, "scope": scope}
    pairing = _load_pairing(local)
    reader = ModelReader(nano_model, backend, on_progress=BuildBar())
    if batch is None:
        try:
            decided = _decide_text(
                read_input(file or "-", "the request"), policy, notes, index, context, pairing, reader
            )
        except EdgeError as exc:
            if exc.code != "REQUEST_TOO_LARGE":
                raise
            decided = failed_decision(exc.code, exc.message, exc.where, policy, None, {})  # a BLOCK, like stdin
        sys.stdout.write(_shown(decided, lang, form))
        if verdict_out is not None:
            _write_verdict(decided, verdict_out)
        return
    if file not in (None, "-"):
        err.print("[red]give either a FILE or --batch, not both[/red]")
        raise typer.Exit(2)
    if verdict_out is not None:
        err.print("[red]--verdict-out is for one request, not --batch[/red]")
        raise typer.Exit(2)
    try:
        source = batch.open(
            "rb"
        )  # each line is read by the strict reader: bytes that are not UTF-8 are that line's BLOCK
        sink = out.open("w", encoding="utf-8") if out else sys.stdout
    except OSError as exc:
        err.print(f"[red]cannot open[/red] {exc.filename}: {exc.strerror}")
        raise typer.Exit(2) from exc
    counts = dict.fromkeys(Verdict, 0)
    with source, err.status("checking requests…") as status:
        for number, line in iter_jsonl(source):
            decision = _decide_text(line, policy, notes, index, context, pairing, reader)
            counts[decision.verdict] += 1
            sink.write(_shown(decision, lang, form) + ("\n" if form == Format.TEXT else ""))
            if number % 100 == 0:
                status.update(f"checked {number} requests…")
    if out:
        sink.close()
    err.print(f"{sum(counts.values())} requests: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@app.command()
def demo(
    descriptors: Optional[Path] = typer.Option(None, "--descriptors", help="ERC-7730 registry directory."),
    policy_file: Optional[Path] = typer.Option(
        None, "--policy", help="Signed bundle (.cbor), or JSON/TOML for development (default: built-in)."
    ),
    trust_key: list[Path] = typer.Option(
        [], "--trust-key", help="Pinned public key (PEM) that verifies --policy bundles."
    ),
) -> None:
    """Check the bundled example requests and print the decisions as a table."""
    from .examples import EXAMPLES_NOW, example_requests

    policy, notes, scope = _load_policy(policy_file, trust_key)
    index = _load_descriptors(descriptors)
    table = Table(
        title=f"dmind-edge: bundled examples under policy {policy.policy_id} r{policy.revision}",
        caption="evaluated at the examples' clock, so their deadlines read the same on every run",
    )
    for column in ("request", "action", "decision", "risk", "γ", "findings"):
        table.add_column(column, overflow="fold")
    for obj in example_requests():
        d = decision_json(evaluate_json(obj, policy, index, now=EXAMPLES_NOW, policy_notes=notes, scope=scope))
        codes = "\n".join(sorted({f["code"] for f in d["findings"]})) or "-"
        table.add_row(
            str(obj.get("label", obj.get("id"))),
            (d["intent"] or {}).get("action", "-"),
            f"[{VERDICT_STYLE[d['decision']]}]{d['decision']}[/]",
            f"{d['risk']:.2f}",
            f"{d['confidence']:.2f}",
            codes,
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=140)  # a pipe or a log: do not squeeze the table into 80 columns
    console.print(table)


@bench_app.callback()
def bench_suite(
    ctx: typer.Context,
    quick: bool = typer.Option(
        False, "--quick", help="About a minute: small samples, the default model's int8 ONNX only."
    ),
    repetitions: int = typer.Option(
        1, "-r", "--repetitions", help="Repeat each measurement N times (after a warm-up)."
    ),
    fmt: str = typer.Option("table", "--format", help="table, md, json or csv (on standard output)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Also write bench.md, bench.json and bench.csv here."),
    plot: Optional[Path] = typer.Option(
        None, "--plot", help="Write PNG charts (latency CDF, metrics per runtime) here."
    ),
    exports: Optional[Path] = typer.Option(
        None,
        "--exports",
        help="Artifacts of `dmind-edge export` to measure (default: the full run "
        "exports the built-in model into a cache).",
    ),
    model: str = typer.Option(
        "builtin", "--model", help="builtin (the default Gemma model) or miniature (the 3.6M CI model)."
    ),
) -> None:
    """The whole stack: signing paths, structured behaviour, ablations, sanitization, runtimes (the DMind-3 paper's tables)."""
    if ctx.invoked_subcommand is not None:
        return
    from importlib.metadata import entry_points

    entry = next((e for e in entry_points(group="dmind_edge.suite") if e.name == "run"), None)
    try:
        if entry is None:
            raise ImportError("the benchmark suite is not installed", name="dmind.bench")
        suite = entry.load()
    except ImportError as exc:
        err.print(
            f"[red]`bench` needs a package that is not installed ({exc.name}): pip install 'dmind-edge[bench]'[/red]"
        )
        raise typer.Exit(2) from exc
    raise typer.Exit(suite(quick, repetitions, fmt, out, plot, exports, model))


# Which extra a plugin's imports need, for the error a user sees when it is missing.
PLUGIN_EXTRAS = {
    "local": "local",
    "cloud": "local",
    "audit": "local",
    "nano": "nano",
    "train": "train",
    "export": "export",
}


def _missing(name: str, exc: ImportError):
    def command() -> None:
        extra = PLUGIN_EXTRAS.get(name)
        hint = f"pip install 'dmind-edge[{extra}]'" if extra else "reinstall dmind-edge"
        err.print(f"[red]`{name}` needs a package that is not installed ({exc.name}): {escape(hint)}[/red]")
        raise typer.Exit(2)

    command.__doc__ = f"(unavailable: {exc.name} is not installed)"
    return command


BUILTIN_COMMANDS = {"check", "demo", "bench", "policy"}


def _plugins(argv: list[str]) -> None:
    """Commands of the parts built on the edge (`dmind_edge.commands`, `dmind_edge.bench` entry points).

    Loaded only when the command line may need them, so `check` and `bench gate` run (and are
    measured) without the tiers' imports. A part whose optional dependencies are missing still
    shows up, and says which extra to install.
    """
    from importlib.metadata import entry_points

    top = argv[1] if len(argv) > 1 else ""
    groups = []
    if top not in BUILTIN_COMMANDS:
        groups.append(("dmind_edge.commands", lambda name, obj: app.add_typer(obj, name=name), app))
    if top == "bench":
        groups.append(("dmind_edge.bench", lambda name, obj: bench_app.command(name)(obj), bench_app))
    for group, register, owner in groups:
        entries = list(entry_points(group=group))
        wanted = argv[2] if group == "dmind_edge.bench" and len(argv) > 2 else None
        for entry in [e for e in entries if e.name == wanted] or entries:  # `bench gate` loads the gate's bench alone
            try:
                register(entry.name, entry.load())
            except ImportError as exc:  # any arguments after it are accepted, so the message is what the user sees
                settings = {"allow_extra_args": True, "ignore_unknown_options": True}
                owner.command(entry.name, context_settings=settings)(_missing(entry.name, exc))


def main() -> None:
    """The `dmind-edge` entry point: every verb behind the one CLI boundary (`cli_boundary.run`)."""
    _plugins(sys.argv)
    sys.exit(run(app))
