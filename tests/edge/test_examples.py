"""The bundled examples are exactly what their generator makes, and decide as labelled."""

from __future__ import annotations

from importlib import resources

from dmind.edge import evaluate_json
from dmind.edge.examples import EXAMPLES_NOW, example_requests

from tests.edge.examples_source import render

# label -> verdict under the built-in policy: the demo's story, checked.
EXPECTED = {
    "send 0.5 ETH": "ALLOW",
    "swap USDC→ETH via Universal Router": "ALLOW",
    "Permit2 signature for the router": "ALLOW",
    "Sign-In with Ethereum": "ALLOW",
    "swap with output to a stranger": "STEP_UP",
    "unlimited approval to unknown spender": "STEP_UP",
    "unlimited EIP-2612 permit, no deadline": "BLOCK",
    "Seaport listing paid to someone else": "BLOCK",
    "EIP-7702 delegation to unknown code": "BLOCK",
    "eth_sign of a raw hash": "BLOCK",
    "Sign-In for another site": "BLOCK",
    "transaction for another chain": "BLOCK",
    "truncated raw transaction": "BLOCK",
    "send 1 SOL": "ALLOW",
    "send 1 SOL, recipient from a lookup table": "ALLOW",
    "Sign-In with Solana": "ALLOW",
    "Solana durable-nonce transfer": "STEP_UP",
    "Solana token account handed to a stranger": "BLOCK",
    "Solana message that is a transaction": "BLOCK",
    "Sign-In with Solana for another site (structured)": "BLOCK",
}


def test_bundled_file_matches_generator():
    committed = resources.files("dmind.edge.examples").joinpath("requests.jsonl").read_text(encoding="utf-8")
    assert committed == render(), "regenerate: python -m tests.edge.examples_source > edge/examples/requests.jsonl"


def test_examples_decide_as_labelled():
    verdicts = {row["label"]: evaluate_json(row, now=EXAMPLES_NOW).verdict for row in example_requests()}
    assert {label: verdicts[label] for label in EXPECTED} == EXPECTED
