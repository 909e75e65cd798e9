"""Arbitrary bytes and JSON at the boundary: never an exception, never ALLOW."""

from __future__ import annotations

import json

from dmind.edge import evaluate_json
from dmind.edge.errors import EdgeError
from dmind.edge.examples import EXAMPLES_NOW, example_requests
from dmind.edge.parse.request import METHODS
from dmind.edge.requests_io import load_request_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import SIGNER

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
methods = st.sampled_from(sorted(METHODS) + ["eth_sign", "eth_unknown"])
hexes = st.binary(max_size=300).map(lambda b: "0x" + b.hex())
SIGNED_RAW = [
    r
    for r in example_requests()
    if r["request"]["method"] == "eth_sendRawTransaction" and len(r["request"]["params"][0]) > 40
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(methods, st.lists(json_values | hexes, max_size=3), st.one_of(st.none(), st.integers(0, 2**40)))
def test_arbitrary_params_never_raise_or_allow(method, params, chain_id):
    decision = evaluate_json(
        {"id": 1, "request": {"method": method, "params": params}, "chainId": chain_id, "from": SIGNER}
    )
    assert (
        decision.verdict != "ALLOW"
        or decision.error is None
        and decision.payload is not None
        and decision.payload.kind == "message"
    )


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_raw_transactions_never_allow(raw):
    decision = evaluate_json(
        {"request": {"method": "eth_sendRawTransaction", "params": ["0x" + raw.hex()]}, "chainId": 1, "from": SIGNER}
    )
    assert decision.verdict != "ALLOW"


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_arbitrary_request_objects_never_allow(obj):
    assert evaluate_json(obj).verdict != "ALLOW"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SIGNED_RAW), st.data())
def test_any_change_to_a_signed_transaction_is_not_allowed(row, data):
    raw = row["request"]["params"][0]
    position = data.draw(st.integers(2, len(raw) - 1))
    digit = data.draw(st.sampled_from([c for c in "0123456789abcdef" if c != raw[position]]))
    mutated = {
        **row,
        "request": {"method": row["request"]["method"], "params": [raw[:position] + digit + raw[position + 1 :]]},
    }
    assert evaluate_json(mutated, now=EXAMPLES_NOW).verdict != "ALLOW"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_request_text_loader_only_raises_edge_errors(text):
    try:
        load_request_text(text)
    except EdgeError as exc:
        assert exc.verdict == "BLOCK"


def test_deeply_nested_json_is_refused():
    text = "[" * 100_000 + "]" * 100_000
    try:
        obj = load_request_text(text)
    except EdgeError as exc:
        assert exc.code == "REQUEST_INVALID_JSON"
    else:
        assert evaluate_json(obj).verdict == "BLOCK"


def test_oversized_request_is_refused():
    try:
        load_request_text(
            json.dumps({"request": {"method": "personal_sign", "params": ["x" * (5 * 1024 * 1024), SIGNER]}})
        )
    except EdgeError as exc:
        assert exc.code == "REQUEST_TOO_LARGE"
    else:
        raise AssertionError("a 5 MiB request was accepted")
