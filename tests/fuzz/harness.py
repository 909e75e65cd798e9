"""Mutation fuzzing of every parser at the signing boundary, briefly in CI and for as long as you like on demand.

    python -m tests.fuzz --count 1000000            # every target, a million inputs each
    python -m tests.fuzz --target raw_tx --count 50000 --seed 7

Each target takes seed inputs from the bundled examples (real requests, signed transactions,
typed data, calldata), a bridge message and a signed bundle, mutates their bytes (flips,
inserted and deleted runs, duplicated slices, boundary values) and runs the parser's whole
boundary on the result. Reported per target: crashes (an exception escaped a boundary that
must never raise), internal errors (INTERNAL_ERROR / BRIDGE_INTERNAL_ERROR), ALLOWs of
mutants whose signed bytes changed (a signed transaction or a bundle that still "verifies"
after its bytes changed), and the slowest input with its time.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from functools import lru_cache
from random import Random
from typing import Callable

import cbor2
from dmind.edge import decision_text, evaluate_json
from dmind.edge.errors import EdgeError
from dmind.edge.examples import EXAMPLES_NOW, example_requests
from dmind.edge.host_api import Bridge
from dmind.edge.requests_io import load_request_text
from dmind.edge.types import Lang

INTERESTING = (
    b"\x00",
    b"\xff",
    b"\x80",
    b"\x7f",
    b'"',
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"0x",
    b"0X",
    b"\\ud800",
    b"1e18",
    b"9" * 80,
    b"\xd8\x1c",
    b"\xd8\x1d\x00",
    b"\xc2\x49",
    b"\x9f",
    b"\xbf",
    b"\xff" * 32,
    b"\x00" * 32,
)


@dataclass
class Outcome:
    """What one run of one input showed; `changed_allow` only for inputs whose signature binds the bytes."""

    internal: bool = False
    changed_allow: bool = False


@dataclass
class Report:
    target: str
    inputs: int = 0
    crashes: int = 0
    internal_errors: int = 0
    changed_allows: int = 0
    slowest_s: float = 0.0
    slowest_input: bytes = b""
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "inputs": self.inputs,
            "crashes": self.crashes,
            "internal_errors": self.internal_errors,
            "allowed_changed_mutants": self.changed_allows,
            "slowest_ms": round(self.slowest_s * 1000, 2),
            "slowest_input_bytes": len(self.slowest_input),
            "slowest_input_head": repr(self.slowest_input[:120]),
            "first_failures": self.examples[:5],
        }


def mutate(data: bytes, rng: Random) -> bytes:
    """One to four byte-level edits of `data`."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(6)
        pos = rng.randrange(len(out) + 1)
        if choice == 0 and out:
            out[min(pos, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1:
            out[pos:pos] = rng.choice(INTERESTING)
        elif choice == 2 and out:
            del out[pos : pos + rng.randint(1, 16)]
        elif choice == 3 and out:
            start = rng.randrange(len(out))
            out[pos:pos] = out[start : start + rng.randint(1, 64)]
        elif choice == 4 and out:
            out[min(pos, len(out) - 1)] = rng.randrange(256)
        else:
            digit = rng.choice(b"0123456789abcdef")
            hex_positions = [i for i in range(len(out)) if out[i] in b"0123456789abcdef"]
            if hex_positions:
                out[rng.choice(hex_positions)] = digit
    return bytes(out)


# --- targets: seeds and the boundary each input goes through ------------------------------------------------


def _shown(decision):
    """The decision as people read it, in every language: a sentence that cannot be written is a crash too."""
    for lang in Lang:
        decision_text(decision, lang)
    return decision


def _request_json(data: bytes) -> Outcome:
    try:
        obj = load_request_text(data)
    except EdgeError:
        return Outcome()
    decision = _shown(evaluate_json(obj, now=EXAMPLES_NOW))
    return Outcome(internal=decision.error is not None and decision.error[0] == "INTERNAL_ERROR")


def _with_param(row: dict, value: object) -> dict:
    return {**row, "request": {**row["request"], "params": [value, *row["request"]["params"][1:]]}}


def _raw_tx(data: bytes) -> Outcome:
    row = _signed_rows()[data[0] % len(_signed_rows())]
    seed_raw = row["request"]["params"][0]
    decision = _shown(evaluate_json(_with_param(row, "0x" + data[1:].hex()), now=EXAMPLES_NOW))
    changed = "0x" + data[1:].hex() != seed_raw.lower()
    return Outcome(
        internal=decision.error is not None and decision.error[0] == "INTERNAL_ERROR",
        changed_allow=changed and decision.verdict == "ALLOW",
    )


def _solana_tx(data: bytes) -> Outcome:
    """Mutated Solana transaction bytes, sent as base64: an unsigned transaction may still be a valid other one, so
    an ALLOW is wrong only where the decision names other bytes than the ones sent."""
    row = _solana_rows()[data[0] % len(_solana_rows())]
    sent = {**row["request"], "params": {"transaction": base64.b64encode(data[1:]).decode()}}
    decision = _shown(evaluate_json({**row, "request": sent}, now=EXAMPLES_NOW))
    other_bytes = decision.payload is None or decision.payload.solana[0].raw not in data[1:]
    return Outcome(
        internal=decision.error is not None and decision.error[0] == "INTERNAL_ERROR",
        changed_allow=decision.verdict == "ALLOW" and other_bytes,
    )


def _typed_data(data: bytes) -> Outcome:
    row = _typed_rows()[data[0] % len(_typed_rows())]
    text = data[1:].decode("utf-8", "surrogateescape")  # invalid bytes become lone surrogates: hostile too
    decision = _shown(
        evaluate_json(
            {**row, "request": {**row["request"], "params": [row["request"]["params"][0], text]}}, now=EXAMPLES_NOW
        )
    )
    return Outcome(internal=decision.error is not None and decision.error[0] == "INTERNAL_ERROR")


def _calldata(data: bytes) -> Outcome:
    row = _call_rows()[data[0] % len(_call_rows())]
    tx = dict(row["request"]["params"][0])
    tx["data"] = "0x" + data[1:].hex()
    decision = _shown(evaluate_json(_with_param(row, tx), now=EXAMPLES_NOW))
    return Outcome(internal=decision.error is not None and decision.error[0] == "INTERNAL_ERROR")


_BRIDGE = Bridge(clock=lambda: EXAMPLES_NOW)


def _bridge_cbor(data: bytes) -> Outcome:
    answer = cbor2.loads(_BRIDGE.handle(data)) if data.lstrip()[:1] != b"{" else json.loads(_BRIDGE.handle(data))
    return Outcome(internal=answer.get("code") == "BRIDGE_INTERNAL_ERROR")


def _bundle(data: bytes) -> Outcome:
    from dmind.policies.bundle import BundleError
    from dmind.policies.errors import InputError

    seed, trust, now = _bundle_seed()
    try:
        from dmind.policies.bundle import verify_bundle

        verify_bundle(data, trust, now, "99.0.0")
    except (BundleError, InputError):
        return Outcome()
    return Outcome(changed_allow=data != seed)


@lru_cache(maxsize=1)
def _nano_words(data: bytes) -> Outcome:
    """A user's words through the nano runtime's reading: grounding, then the decoding grammar built from it."""
    from dmind.edge.nano.grammar import lark_grammar
    from dmind.edge.nano.grounding import grounds_in

    text = data.decode("utf-8", errors="replace")
    lark_grammar(grounds_in([{"role": "user", "content": text}, {"role": "tool", "content": text}]))
    return Outcome()


def _seeds_nano_words() -> list[bytes]:
    from dmind.export.data.generate import generate

    conversations = generate(200, split="test", seed=3)
    return [m["content"].encode() for c in conversations for m in c["messages"] if m["role"] == "user"]


def _signed_rows() -> list[dict]:
    return [r for r in example_requests() if r["request"]["method"] == "eth_sendRawTransaction"]


@lru_cache(maxsize=1)
def _solana_rows() -> list[dict]:
    return [r for r in example_requests() if r["request"]["method"] == "solana_signTransaction"]


@lru_cache(maxsize=1)
def _typed_rows() -> list[dict]:
    return [r for r in example_requests() if r["request"]["method"].startswith("eth_signTypedData")]


@lru_cache(maxsize=1)
def _call_rows() -> list[dict]:
    rows = [r for r in example_requests() if r["request"]["method"] == "eth_sendTransaction"]
    return rows or [{"request": {"method": "eth_sendTransaction", "params": [{"to": "0x" + "11" * 20}]}, "chainId": 1}]


@lru_cache(maxsize=1)
def _bundle_seed():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from dmind.policies import default_policy
    from dmind.policies.bundle import TrustStore, build_payload, sign_bundle

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    trust = TrustStore()
    trust.add(key.public_key())
    now = 1_800_000_000
    return sign_bundle(build_payload(default_policy(), now - 10, now - 10, now + 10**6, "0.0.1", (1,)), key), trust, now


def _seeds_request_json() -> list[bytes]:
    return [json.dumps(r).encode() for r in example_requests()]


def _seeds_raw_tx() -> list[bytes]:
    return [bytes([i]) + bytes.fromhex(r["request"]["params"][0][2:]) for i, r in enumerate(_signed_rows())]


def _seeds_solana_tx() -> list[bytes]:
    return [bytes([i]) + base64.b64decode(r["request"]["params"]["transaction"]) for i, r in enumerate(_solana_rows())]


def _seeds_typed_data() -> list[bytes]:
    out = []
    for i, r in enumerate(_typed_rows()):
        typed = r["request"]["params"][1]
        out.append(bytes([i]) + (typed if isinstance(typed, str) else json.dumps(typed)).encode())
    return out


def _seeds_calldata() -> list[bytes]:
    return [
        bytes([i]) + bytes.fromhex(str(r["request"]["params"][0].get("data", "0x"))[2:] or "")
        for i, r in enumerate(_call_rows())
    ]


def _seeds_bridge() -> list[bytes]:
    out = []
    for i, r in enumerate(example_requests()[:8]):
        message = {
            "api_version": 1,
            "request_id": i,
            "op": "evaluate",
            "request": r["request"],
            "chain_id": r.get("chainId"),
        }
        out.append(cbor2.dumps({k: v for k, v in message.items() if v is not None}))
    out.append(json.dumps({"api_version": 1, "request_id": "j", "op": "info"}).encode())
    return out


TARGETS: dict[str, tuple[Callable[[], list[bytes]], Callable[[bytes], Outcome]]] = {
    "request_json": (_seeds_request_json, _request_json),
    "raw_tx": (_seeds_raw_tx, _raw_tx),
    "solana_tx": (_seeds_solana_tx, _solana_tx),
    "typed_data": (_seeds_typed_data, _typed_data),
    "calldata": (_seeds_calldata, _calldata),
    "bridge_cbor": (_seeds_bridge, _bridge_cbor),
    "bundle": (lambda: [_bundle_seed()[0]], _bundle),
    "nano_words": (_seeds_nano_words, _nano_words),
}


def run_one(target: str, data: bytes, report: Report) -> None:
    """Run one input through `target`'s boundary and record what it showed."""
    _, check = TARGETS[target]
    report.inputs += 1
    start = time.perf_counter()
    try:
        outcome = check(data)
    except Exception as exc:  # the finding a fuzzer exists for
        report.crashes += 1
        report.examples.append(f"crash {type(exc).__name__}: {exc} on {data[:80]!r}")
        return
    finally:
        elapsed = time.perf_counter() - start
        if elapsed > report.slowest_s:
            report.slowest_s, report.slowest_input = elapsed, data
    if outcome.internal:
        report.internal_errors += 1
        report.examples.append(f"internal error on {data[:80]!r}")
    if outcome.changed_allow:
        report.changed_allows += 1
        report.examples.append(f"changed bytes allowed: {data[:80]!r}")


def fuzz(target: str, count: int, seed: int = 0, progress: Callable[[int], None] | None = None) -> Report:
    """`count` mutants of `target`'s seeds; the report of what they showed."""
    rng = Random(seed)
    seeds_of, _ = TARGETS[target]
    seeds = seeds_of()
    report = Report(target)
    for i in range(count):
        base = rng.choice(seeds)
        data = base[:1] + mutate(base[1:], rng) if target in ("raw_tx", "typed_data", "calldata") else mutate(base, rng)
        run_one(target, data, report)
        if progress is not None and (i + 1) % 1000 == 0:
            progress(i + 1)
    return report
