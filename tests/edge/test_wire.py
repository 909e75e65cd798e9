"""Core types round-trip through CBOR; malformed CBOR is a typed error."""

from __future__ import annotations

import cbor2
import pytest
from dmind.edge import evaluate_json
from dmind.edge.errors import EdgeError
from dmind.edge.examples import EXAMPLES_NOW, example_requests
from dmind.edge.parse.request import request_from_json
from dmind.edge.wire import from_cbor, to_cbor
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize("row", example_requests(), ids=lambda r: r["label"])
def test_decisions_and_requests_round_trip(row):
    decision = evaluate_json(row, now=EXAMPLES_NOW)
    assert from_cbor(to_cbor(decision)) == decision
    request = request_from_json(row)
    assert from_cbor(to_cbor(request)) == request


def test_encoding_is_deterministic():
    decision = evaluate_json(example_requests()[0], now=EXAMPLES_NOW)
    assert to_cbor(decision) == to_cbor(from_cbor(to_cbor(decision)))


@pytest.mark.parametrize("message", [
    {"v": 2, "type": "Finding", "body": {}},
    {"v": 1, "type": "Exploit", "body": {}},
    {"v": 1, "type": "Finding", "body": {"code": "X", "evil": 1}},
    {"v": 1, "type": "Finding", "body": {"code": "X"}},
])
def test_bad_messages_are_refused(message):
    with pytest.raises(EdgeError):
        from_cbor(cbor2.dumps(message))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_only_raise_edge_errors(data):
    try:
        from_cbor(data)
    except EdgeError:
        pass
