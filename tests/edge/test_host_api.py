"""The mobile bridge, driven only through `handle(bytes) -> bytes`, as a host app drives it.

Every request sent and every response received is checked against `edge/host_api.cddl`.
"""

from __future__ import annotations

import json
from pathlib import Path

import cbor2
import pycddl
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.edge import host_api as host_api_module
from dmind.edge.examples import EXAMPLES_NOW, example_requests
from dmind.edge.host_api import API_VERSION, MAX_BRIDGE_BYTES, Bridge
from dmind.edge.nano.protocol import render_call
from dmind.edge.pipeline import evaluate_json
from dmind.edge.render import decision_json
from dmind.policies import default_policy, policy_from_dict, policy_to_dict
from dmind.policies.bundle import build_payload, sign_bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import (
    SIGNER,
    UNIVERSAL_ROUTER,
    USDC,
    WETH,
    calldata,
    eip1559,
    request,
    signed_tx,
    ur_execute,
    v3_path,
)

SCHEMA_TEXT = (Path(host_api_module.__file__).parent / "host_api.cddl").read_text()
NOW = 1_800_000_000
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PEPE = "0x6982508145454Ce325dDbE47a25d4ec3d2311933"


def schema(rule: str) -> pycddl.Schema:
    return pycddl.Schema(f"root = {rule}\n{SCHEMA_TEXT}")


REQUEST_SCHEMA, RESPONSE_SCHEMA = schema("request"), schema("response")


def raw_key(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def bundle(
    revision: int,
    key: Ed25519PrivateKey = KEY,
    spenders: tuple[str, ...] = (),
    valid_days: int = 30,
    policy_id: str | None = None,
    scope: tuple[int | str, ...] = (1,),
) -> bytes:
    fields = policy_to_dict(default_policy())
    fields["known_spenders"] = {**fields["known_spenders"], "1": [*fields["known_spenders"].get("1", []), *spenders]}
    if set(scope) != {1}:  # a bundle for other chains names none of chain 1's facts
        fields.update(
            {k: {} for k in ("known_spenders", "known_routers", "delegates_7702", "known_contracts", "approval_limits")}
        )
    policy = policy_from_dict({**fields, "revision": revision, "policy_id": policy_id or fields["policy_id"]})
    return sign_bundle(build_payload(policy, NOW - 86400, NOW - 86400, NOW + valid_days * 86400, "0.0.1", scope), key)


class Host:
    """What an app does: builds a map, encodes it, calls `handle`, decodes the answer; checks both against the CDDL."""

    def __init__(self) -> None:
        self.now = NOW
        self.bridge = Bridge(clock=lambda: self.now)
        self.sent = 0

    def call(self, op: str, *, conforming: bool = True, **fields) -> dict:
        """Send one request; `conforming=False` for the ones a test makes wrong on purpose (the schema must reject them too)."""
        self.sent += 1
        message = {"api_version": API_VERSION, "request_id": self.sent, "op": op, **fields}
        data = cbor2.dumps(message)
        if conforming:
            REQUEST_SCHEMA.validate_cbor(data)
        else:
            with pytest.raises(pycddl.ValidationError):
                REQUEST_SCHEMA.validate_cbor(data)
        return self.raw(data, request_id=self.sent)

    def raw(self, data: bytes, request_id=None) -> dict:
        answer = self.bridge.handle(data)
        if data.lstrip()[:1] == b"{":  # a JSON request, even a broken one, is answered in JSON
            response = json.loads(answer)
            RESPONSE_SCHEMA.validate_cbor(cbor2.dumps(response))
        else:
            RESPONSE_SCHEMA.validate_cbor(answer)
            response = cbor2.loads(answer)
        if request_id is not None:
            assert response["request_id"] == request_id
        return response


def evaluate_fields(obj: dict) -> dict:
    """A CLI request object as the bridge's evaluate fields."""
    fields = {
        "request": obj["request"],
        "chain_id": obj.get("chainId"),
        "from": obj.get("from"),
        "origin": obj.get("origin"),
        "known_addresses": obj.get("known_addresses"),
        "address_lookup_tables": obj.get("address_lookup_tables"),
    }
    return {k: v for k, v in fields.items() if v is not None}


def approve(spender: str) -> dict:
    return request(
        "eth_sendRawTransaction",
        [signed_tx(eip1559(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [spender, 10**6])))],
    )


@pytest.fixture
def host() -> Host:
    return Host()


def test_bundled_examples_decide_as_the_cli_does(host):
    host.now = EXAMPLES_NOW
    for obj in example_requests():
        response = host.call("evaluate", **evaluate_fields(obj), now=EXAMPLES_NOW)
        expected = decision_json(evaluate_json({**obj, "id": host.sent, "stated_intent": None}, now=EXAMPLES_NOW))
        got = response["result"]
        assert {k: v for k, v in got.items() if k != "timings_us"} == {
            k: v for k, v in expected.items() if k != "timings_us"
        }


def test_json_in_gets_json_out():
    obj = approve(FRIEND)
    answer = Bridge(clock=lambda: NOW).handle(
        json.dumps({"api_version": 1, "request_id": "a1", "op": "evaluate", **evaluate_fields(obj)}).encode()
    )
    decoded = json.loads(answer)
    assert decoded["request_id"] == "a1" and decoded["result"]["decision"] == "STEP_UP"
    RESPONSE_SCHEMA.validate_cbor(cbor2.dumps(decoded))  # the JSON form has the CBOR form's shape


def test_info_names_the_policy_and_operations(host):
    info = host.call("info")["result"]
    assert info["policy"] == {
        "id": default_policy().policy_id,
        "revision": default_policy().revision,
        "signed": False,
        "valid_now": True,
    }
    assert {"evaluate", "load_policy", "read_intent", "nano_prompt", "info"} <= set(info["operations"])


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "BRIDGE_MESSAGE_INVALID"),
        (b"\xff\xfe garbage", "BRIDGE_MESSAGE_INVALID"),
        (b"{not json", "BRIDGE_MESSAGE_INVALID"),
        (cbor2.dumps([1, 2, 3]), "BRIDGE_MESSAGE_INVALID"),
        (cbor2.dumps({"api_version": 1, "op": "info"}), "BRIDGE_FIELD_MISSING"),
        (cbor2.dumps({"api_version": 1, "request_id": -4, "op": "info"}), "BRIDGE_FIELD_MISSING"),
        (cbor2.dumps(cbor2.CBORTag(1, 5)), "BRIDGE_MESSAGE_INVALID"),
        (b"\x9f" * 100_000, "BRIDGE_MESSAGE_INVALID"),  # unterminated indefinite arrays, nested deep
    ],
)
def test_garbage_gets_an_error_with_no_request_id(host, data, code):
    response = host.raw(data)
    assert response["code"] == code and response["request_id"] is None and "result" not in response


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"api_version": 2}, "BRIDGE_VERSION_UNSUPPORTED"),
        ({"api_version": "1"}, "BRIDGE_VERSION_UNSUPPORTED"),
        ({"op": "sign"}, "BRIDGE_OP_UNKNOWN"),
        ({"surprise": 1}, "BRIDGE_FIELD_UNKNOWN"),
        ({"request": None}, "BRIDGE_FIELD_MISSING"),
        ({"request": "eth_sign"}, "BRIDGE_FIELD_INVALID"),
        ({"chain_id": True}, "BRIDGE_FIELD_INVALID"),
        ({"request": {"method": "personal_sign", "params": [b"\x00" * 4, SIGNER]}}, "BRIDGE_MESSAGE_INVALID"),
        ({"request": {"method": "personal_sign", "params": [{1: "x"}, SIGNER]}}, "BRIDGE_MESSAGE_INVALID"),
    ],
)
def test_bad_envelopes_are_refused_with_their_request_id(host, fields, code):
    message = {"api_version": 1, "request_id": "r-7", "op": "evaluate", **evaluate_fields(approve(FRIEND)), **fields}
    response = host.raw(cbor2.dumps(message))
    assert response["code"] == code and response["request_id"] == "r-7", response


def test_oversized_requests_are_refused_before_decoding(host):
    padding = "0x" + "00" * (MAX_BRIDGE_BYTES // 2)
    data = cbor2.dumps(
        {
            "api_version": 1,
            "request_id": 1,
            "op": "evaluate",
            "request": {"method": "personal_sign", "params": [padding, SIGNER]},
        }
    )
    assert len(data) > MAX_BRIDGE_BYTES
    assert host.raw(data)["code"] == "BRIDGE_TOO_LARGE"


def test_malformed_payloads_inside_a_good_envelope_are_blocked(host):
    response = host.call("evaluate", request={"method": "eth_sendRawTransaction", "params": ["0x02f8"]}, chain_id=1)
    assert response["result"]["decision"] == "BLOCK" and response["result"]["error"]["code"]


def test_a_signed_policy_changes_decisions_and_never_rolls_back(host):
    keys = [raw_key(KEY)]
    assert host.call("evaluate", **evaluate_fields(approve(FRIEND)))["result"]["decision"] == "STEP_UP"
    loaded = host.call("load_policy", bundle=bundle(5, spenders=(FRIEND,)), trust_keys=keys)["result"]
    assert loaded["revision"] == 5
    after = host.call("evaluate", **evaluate_fields(approve(FRIEND)))["result"]
    assert after["decision"] == "ALLOW" and after["policy"]["revision"] == 5
    assert host.call("load_policy", bundle=bundle(4), trust_keys=keys)["code"] == "BUNDLE_ROLLBACK"
    assert host.call("load_policy", bundle=bundle(5, spenders=(FRIEND,)), trust_keys=keys)["code"] == "BUNDLE_ROLLBACK"
    assert host.call("load_policy", bundle=bundle(6, key=OTHER_KEY), trust_keys=keys)["code"] == "BUNDLE_KID_UNKNOWN"
    tampered = bytearray(bundle(7))
    tampered[len(tampered) // 2] ^= 1
    assert host.call("load_policy", bundle=bytes(tampered), trust_keys=keys)["code"].startswith("BUNDLE_")
    assert host.call("info")["result"]["policy"]["revision"] == 5  # every refusal left the active policy as it was


def test_an_expired_policy_stops_decisions_instead_of_falling_back(host):
    assert "result" in host.call("load_policy", bundle=bundle(2, valid_days=1), trust_keys=[raw_key(KEY)])
    host.now = NOW + 2 * 86400
    response = host.call("evaluate", **evaluate_fields(approve(FRIEND)))
    assert response["code"] == "POLICY_EXPIRED" and "result" not in response
    assert host.call("info")["result"]["policy"]["valid_now"] is False


def test_trust_keys_are_pinned_by_the_first_load(host):
    assert "result" in host.call("load_policy", bundle=bundle(1), trust_keys=[raw_key(KEY)])
    # a later call cannot bring its own key, even with a bundle that key signed
    assert (
        host.call("load_policy", bundle=bundle(2, key=OTHER_KEY), trust_keys=[raw_key(OTHER_KEY)])["code"]
        == "BRIDGE_TRUST_KEYS_PINNED"
    )
    assert host.call("load_policy", bundle=bundle(3, key=OTHER_KEY))["code"] == "BUNDLE_KID_UNKNOWN"
    assert host.call("load_policy", bundle=bundle(3))["result"]["revision"] == 3  # the pinned key, left out


def test_switching_bundle_ids_never_brings_an_old_revision_back(host):
    keys = [raw_key(KEY)]
    assert "result" in host.call("load_policy", bundle=bundle(5, policy_id="vendor-a"), trust_keys=keys)
    assert "result" in host.call(
        "load_policy", bundle=bundle(1, policy_id="vendor-b"), trust_keys=keys, allow_new_id=True
    )
    back = host.call("load_policy", bundle=bundle(4, policy_id="vendor-a"), trust_keys=keys, allow_new_id=True)
    assert back["code"] == "BUNDLE_ROLLBACK"
    assert host.call("info")["result"]["policy"]["id"] == "vendor-b"


def test_a_bundle_governs_only_the_chains_in_its_scope(host):
    assert "result" in host.call("load_policy", bundle=bundle(1, scope=(11155111,)), trust_keys=[raw_key(KEY)])
    on_mainnet = host.call("evaluate", **evaluate_fields(approve(FRIEND)))["result"]
    assert on_mainnet["decision"] == "BLOCK" and on_mainnet["error"]["code"] == "POLICY_OUT_OF_SCOPE"
    on_sepolia = host.call("evaluate", **{**evaluate_fields(approve(FRIEND)), "chain_id": 11155111})["result"]
    assert on_sepolia["error"] is None or on_sepolia["error"]["code"] != "POLICY_OUT_OF_SCOPE"


def test_trust_keys_must_be_raw_ed25519_keys(host):
    assert (
        host.call("load_policy", bundle=bundle(1), trust_keys=[b"\x01" * 31], conforming=False)["code"]
        == "BRIDGE_FIELD_INVALID"
    )


def _swap_into(token_out: str) -> dict:
    data = ur_execute(
        [
            (
                0x00,
                ["address", "uint256", "uint256", "bytes", "bool"],
                ["0x" + "00" * 19 + "01", 250 * 10**6, 1, v3_path(USDC, 500, token_out), True],
            )
        ]
    )
    return request("eth_sendRawTransaction", [signed_tx(eip1559(UNIVERSAL_ROUTER, data, gas=300_000))])


@pytest.mark.parametrize("token_out, mismatch", [(PEPE, False), (WETH, True)])
def test_the_hosts_model_output_binds_the_swap_to_the_users_words(host, token_out, mismatch):
    words = f"swap 250 USDC for {PEPE}"
    output = render_call("EXECUTE_SWAP", {"inputTokenSymbol": "USDC", "inputTokenAmount": 250, "outputTokenCA": PEPE})
    result = host.call("evaluate", **evaluate_fields(_swap_into(token_out)), stated_intent=words, nano_output=output)[
        "result"
    ]
    assert ("INTENT_MISMATCH" in {f["code"] for f in result["findings"]}) == mismatch
    if mismatch:
        assert result["decision"] != "ALLOW"


def test_an_unreadable_model_output_is_a_finding_not_a_pass(host):
    result = host.call(
        "evaluate", **evaluate_fields(_swap_into(PEPE)), stated_intent="swap it", nano_output="call:EXECUTE_SWAP{}"
    )["result"]
    assert "INTENT_UNREADABLE" in {f["code"] for f in result["findings"]}


def test_read_intent_and_nano_prompt_serve_a_host_that_runs_the_model(host):
    output = render_call("SEARCH_TOKEN", {"symbol": "PEPE"})
    assert host.call("read_intent", words="find pepe", nano_output=output)["result"] == {
        "call": {"name": "SEARCH_TOKEN", "arguments": {"symbol": "PEPE"}}
    }
    assert (
        host.call("read_intent", words="x", nano_output="<start_function_call>call:NOPE{}<end_function_call>")["code"]
        == "E_TOOL_UNKNOWN"
    )
    prompt = host.call("nano_prompt", messages=[{"role": "user", "content": f"swap 1 SOL for {PEPE}"}])["result"]
    assert prompt["prompt"].startswith("<bos>") and prompt["prompt"].endswith("<start_of_turn>model\n")
    assert (
        PEPE in prompt["grammar"] and '"1"' in prompt["grammar"] and '"SOL"' in prompt["grammar"]
    )  # grounded in the words
    assert host.call("nano_prompt", messages=[{"role": "system"}], conforming=False)["code"] == "BRIDGE_FIELD_INVALID"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=20)
    | st.binary(max_size=20)
    | st.floats(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_any_bytes_get_a_well_formed_answer(host, data):
    assert set(host.raw(data)) >= {"api_version", "request_id"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=st.sampled_from(
        ["request", "chain_id", "from", "origin", "stated_intent", "nano_output", "now", "op", "request_id"]
    ),
    value=json_values,
)
def test_hostile_field_values_get_a_well_formed_answer(host, field, value):
    message = {"api_version": 1, "request_id": 9, "op": "evaluate", **evaluate_fields(approve(FRIEND)), field: value}
    response = host.raw(cbor2.dumps(message))
    assert "result" in response or response["code"].isupper()


def test_the_desktop_example_runs_as_an_app_would():
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "examples" / "bridge_host.py"
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "refused" not in result.stdout and "garbage in: BRIDGE_MESSAGE_INVALID" in result.stdout


def test_the_answer_speaks_the_asked_language_and_refuses_an_unknown_one(host):
    fields = evaluate_fields(approve(FRIEND))
    en = host.call("evaluate", **fields)["result"]
    zh = host.call("evaluate", **fields, lang="zh")["result"]
    assert [f["code"] for f in en["findings"]] == [f["code"] for f in zh["findings"]] and en["digest"] == zh["digest"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["explanation"])
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en["explanation"])
    assert host.call("evaluate", **fields, lang="fr", conforming=False)["code"] == "BRIDGE_FIELD_INVALID"


def test_the_bridge_answers_every_solana_method(host):
    from tests.solana_builders import SOLANA_CASES, sign_message_request, sol_request

    drain, benign = SOLANA_CASES["SOLANA_AUTHORITY_CHANGE"]
    assert host.call("evaluate", **evaluate_fields(drain))["result"]["decision"] == "BLOCK"
    assert host.call("evaluate", **evaluate_fields(benign))["result"]["decision"] == "ALLOW"
    both = sol_request(benign["request"]["params"]["transaction"], method="solana_signAllTransactions")
    both["request"]["params"] = {"transactions": [benign["request"]["params"]["transaction"]] * 2}
    assert host.call("evaluate", **evaluate_fields(both))["result"]["decision"] == "ALLOW"
    message = host.call("evaluate", **evaluate_fields(sign_message_request(b"hello")))["result"]
    assert message["decision"] == "ALLOW"


def test_a_bundle_scoped_to_evm_chains_does_not_govern_solana(host):
    from tests.solana_builders import SOLANA_CASES

    assert "result" in host.call("load_policy", bundle=bundle(1, scope=(1,)), trust_keys=[raw_key(KEY)])
    result = host.call("evaluate", **evaluate_fields(SOLANA_CASES["SOLANA_AUTHORITY_CHANGE"][1]))["result"]
    assert result["decision"] == "BLOCK" and result["error"]["code"] == "POLICY_OUT_OF_SCOPE"


def test_a_bundle_scoped_to_a_solana_cluster_governs_it_and_says_so_in_caip2(host):
    from tests.solana_builders import MAINNET, SOLANA_CASES

    loaded = host.call("load_policy", bundle=bundle(1, scope=(1, MAINNET)), trust_keys=[raw_key(KEY)])["result"]
    assert loaded["scope"] == ["eip155:1", MAINNET]
    drain, benign = SOLANA_CASES["SOLANA_AUTHORITY_CHANGE"]
    assert host.call("evaluate", **evaluate_fields(benign))["result"]["decision"] == "ALLOW"
    assert host.call("evaluate", **evaluate_fields(drain))["result"]["decision"] == "BLOCK"
