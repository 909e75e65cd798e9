"""The fail-closed classes of the security review: each defect class shown closed, through the gate and the bridge.

Every request here reached ALLOW, a crash or unbounded work before. The checks assert the
class (never ALLOW, a stable code, a digest where the bytes are determinate, work under the
budget), not a hard-coded decision of the code under test.
"""

from __future__ import annotations

import json

import cbor2
import pytest
from dmind.edge import evaluate_json
from dmind.edge.decode.calldata import DecodeContext, decode_call
from dmind.edge.errors import EdgeError
from dmind.edge.host_api import Bridge
from dmind.edge.limits import MAX_ABI_DECODED_BYTES
from dmind.edge.requests_io import load_request_text
from dmind.policies import PolicyError, default_policy, policy_from_dict, policy_to_dict
from eth_abi import encode

from tests.builders import (
    NFT,
    PERMIT2,
    SIGNER,
    UNIVERSAL_ROUTER,
    USDC,
    calldata,
    eip2612_permit,
    request,
    seaport_order,
    typed_request,
    ur_execute,
)
from tests.conftest import FIXED_NOW

FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
DELEGATE = "0x63c0c19a282a1B52b07dD5a65b58948A07DAE32B"
BASE_TX = {"from": SIGNER, "to": FRIEND, "value": "0x1"}
AUTH = {"chainId": "0x1", "address": DELEGATE, "nonce": "0x0", "yParity": "0x0", "r": "0x1", "s": "0x1"}
SIWE = f"app.example wants you to sign in with your Ethereum account:\n{SIGNER}\n\nURI: https://app.example\nVersion: 1\nChain ID: 1\nNonce: 12345678\nIssued At: 2026-01-01T00:00:00Z"


def send(tx: dict, method: str = "eth_sendTransaction", **kw) -> dict:
    return request(method, [tx], **kw)


def via_bridge(obj: dict) -> dict:
    """The same request through the mobile bridge's evaluate op (CBOR in, CBOR out)."""
    fields = {
        "request": obj["request"],
        "chain_id": obj.get("chainId"),
        "from": obj.get("from"),
        "origin": obj.get("origin"),
        "known_addresses": obj.get("known_addresses"),
    }
    message = {
        "api_version": 1,
        "request_id": 1,
        "op": "evaluate",
        "now": FIXED_NOW,
        **{k: v for k, v in fields.items() if v is not None},
    }
    response = cbor2.loads(Bridge().handle(cbor2.dumps(message)))
    return response.get("result") or {"decision": "ERROR", "code": response["code"]}


def decide(obj: dict) -> dict:
    """The gate's decision, checked against the bridge's: both paths judge alike."""
    decision = evaluate_json(obj, now=FIXED_NOW)
    bridged = via_bridge(obj)
    assert bridged["decision"] == decision.verdict, (bridged, decision.verdict)
    return {
        "verdict": decision.verdict,
        "codes": {f.code for f in decision.findings},
        "digest": decision.digest,
        "error": decision.error,
    }


def _approve_zero(spender: str = "0x" + "42" * 20) -> bytes:
    """approve(spender, 0): a revoke on an ERC-20, token #0 handed to `spender` on an ERC-721."""
    return calldata("approve(address,uint256)", ["address", "uint256"], [spender, 0])


def _multisend(entries: list[tuple[str, int, bytes]]) -> bytes:
    packed = b"".join(
        b"\x00" + bytes.fromhex(to[2:]) + value.to_bytes(32, "big") + len(data).to_bytes(32, "big") + data
        for to, value, data in entries
    )
    return calldata("multiSend(bytes)", ["bytes"], [packed])


def _tx_hex(data: bytes) -> str:
    return "0x" + data.hex()


# --- 1. the transaction-object path -----------------------------------------------------------------

OBJECT_CASES = {
    "7702 delegation without a nonce": {**BASE_TX, "authorizationList": [AUTH]},
    "accessList that is not a list": {**BASE_TX, "accessList": "garbage"},
    "malformed authorizationList": {**BASE_TX, "authorizationList": [{"address": "0x1234"}]},
    "blob fields without a type": {**BASE_TX, "blobVersionedHashes": ["0x01" + "00" * 31], "maxFeePerBlobGas": "0x1"},
    "unknown transaction type": {**BASE_TX, "type": "0x5"},
    "unparseable gasLimit": {**BASE_TX, "gasLimit": "invalid"},
    "gas and gasLimit disagree": {**BASE_TX, "gas": "0x5208", "gasLimit": "0x5209"},
    "input and data disagree": {**BASE_TX, "data": "0x", "input": "0x12"},
    "a field nobody defined": {**BASE_TX, "sponsor": FRIEND},
    "hex digits without 0x": {**BASE_TX, "value": "ffffffffffffff"},
    "scientific notation read as hex": {**BASE_TX, "value": "1e18"},
}


@pytest.mark.parametrize("label", sorted(OBJECT_CASES))
def test_transaction_objects_that_were_allowed_are_not(label):
    assert decide(send(OBJECT_CASES[label]))["verdict"] != "ALLOW"


def test_a_delegation_is_judged_whether_or_not_the_object_is_complete():
    complete = {
        **BASE_TX,
        "authorizationList": [AUTH],
        "nonce": "0x1",
        "gas": "0x30000",
        "maxFeePerGas": "0x2",
        "maxPriorityFeePerGas": "0x1",
        "chainId": "0x1",
    }
    for tx in (complete, {**BASE_TX, "authorizationList": [AUTH]}):
        assert "DELEGATE_UNKNOWN" in decide(send(tx))["codes"]


@pytest.mark.parametrize(
    "field, a, b",
    [
        ("type", "0x2", "0x0"),
        ("accessList", [], [{"address": FRIEND, "storageKeys": []}]),
        ("authorizationList", [AUTH], [{**AUTH, "address": FRIEND}]),
        ("gasLimit", "0x5208", "0x5209"),
        ("maxFeePerGas", "0x2", "0x3"),
        ("nonce", "0x1", "0x2"),
        ("sponsor", 1, 2),
    ],
)
def test_incomplete_objects_that_sign_different_things_have_different_digests(field, a, b):
    first, second = (decide(send({**BASE_TX, field: v})) for v in (a, b))
    assert first["digest"] is None or second["digest"] is None or first["digest"] != second["digest"]


@pytest.mark.parametrize(
    "extra",
    [{"atomicRequired": True}, {"capabilities": {"paymasterService": {"url": "https://x"}}}, {"version": "2.0.0"}],
)
def test_send_calls_digest_binds_atomicity_and_capabilities(extra):
    body = {"version": "1.0", "chainId": "0x1", "from": SIGNER, "calls": [{"to": FRIEND, "value": "0x1"}]}
    plain, changed = (decide(request("wallet_sendCalls", [b]))["digest"] for b in (body, {**body, **extra}))
    assert plain != changed


# --- 2. ambiguous encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"request": {"method": "eth_sendTransaction", "params": [{"to": "%s", "to": "%s"}]}}' % (FRIEND, SIGNER),
        '{"request": {"method": "eth_sendTransaction", "params": [{"to": "%s", "value": "0x1", "value": "0x2"}]}}'
        % FRIEND,
        '{"chainId": 1, "chainId": 10, "request": {"method": "eth_sign", "params": []}}',
    ],
)
def test_duplicate_keys_are_refused_at_the_json_boundary(text):
    with pytest.raises(EdgeError) as caught:
        load_request_text(text)
    assert caught.value.code == "JSON_DUPLICATE_KEY"
    response = json.loads(
        Bridge().handle(
            json.dumps({"api_version": 1, "request_id": 1, "op": "evaluate"})[:-1].encode()
            + b', "request": '
            + text.encode()
            + b"}"
        )
    )
    assert "result" not in response and response["code"] == "BRIDGE_MESSAGE_INVALID"


def test_duplicate_keys_inside_the_typed_data_string_are_refused():
    typed = json.dumps(eip2612_permit(PERMIT2, 1, FIXED_NOW + 60)).replace(
        '"spender": ', f'"spender": "{FRIEND}", "spender": ', 1
    )
    decision = decide(request("eth_signTypedData_v4", [SIGNER, typed]))
    assert decision["verdict"] == "BLOCK" and decision["error"][0] == "JSON_DUPLICATE_KEY"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t["message"].update(value=" 1000000"),
        lambda t: t["message"].update(spender=" " + PERMIT2),
        lambda t: (
            t["types"]["Permit"].append({"name": "salt", "type": "bytes32"})
            or t["message"].update(salt="0X" + "00" * 32)
        ),
        lambda t: t["message"].update(spender="0X" + PERMIT2[2:]),
        lambda t: t["message"].update(spender=PERMIT2[:2] + PERMIT2[2:].swapcase()),  # mixed case, checksum fails
    ],
)
def test_non_canonical_typed_values_step_up_and_keep_their_digest(mutate):
    typed = eip2612_permit(PERMIT2, 1_000_000, FIXED_NOW + 60)
    mutate(typed)
    decision = decide(typed_request(typed))
    assert decision["verdict"] != "ALLOW" and decision["digest"] is not None and decision["error"] is None


def test_trailing_calldata_bytes_are_a_finding():
    data = calldata("transfer(address,uint256)", ["address", "uint256"], [FRIEND, 5]) + b"\x01"
    decision = decide(send({"from": SIGNER, "to": USDC, "data": _tx_hex(data)}))
    assert "CALLDATA_TRAILING_BYTES" in decision["codes"] and decision["verdict"] != "ALLOW"


# --- 3. readings that miss the risk ---------------------------------------------------------------------

ZERO_APPROVE = _approve_zero()
READING_CASES = {
    "ERC-721 approve(spender, 0), direct": send({"from": SIGNER, "to": NFT, "data": _tx_hex(ZERO_APPROVE)}),
    "ERC-721 approve(spender, 0), in multicall": send(
        {"from": SIGNER, "to": NFT, "data": _tx_hex(calldata("multicall(bytes[])", ["bytes[]"], [[ZERO_APPROVE]]))}
    ),
    "ERC-721 approve(spender, 0), in multiSend": send(
        {"from": SIGNER, "to": FRIEND, "data": _tx_hex(_multisend([(NFT, 0, ZERO_APPROVE)]))}
    ),
    "ERC-721 approve(spender, 0), in wallet_sendCalls": request(
        "wallet_sendCalls",
        [{"version": "1.0", "chainId": "0x1", "from": SIGNER, "calls": [{"to": NFT, "data": _tx_hex(ZERO_APPROVE)}]}],
    ),
    "10 ETH with multicall([])": send(
        {
            "from": SIGNER,
            "to": FRIEND,
            "value": hex(10**19),
            "data": _tx_hex(calldata("multicall(bytes[])", ["bytes[]"], [[]])),
        }
    ),
    "10 ETH with multiSend('')": send(
        {"from": SIGNER, "to": FRIEND, "value": hex(10**19), "data": _tx_hex(_multisend([]))}
    ),
    "sign-in with no origin": request("personal_sign", [_tx_hex(SIWE.encode()), SIGNER], origin=None),
    "sign-in with an unreadable origin": request(
        "personal_sign", [_tx_hex(SIWE.encode()), SIGNER], origin="http://[::1"
    ),
    "Seaport listing for 1 wei": typed_request(seaport_order(SIGNER, 1, buyer_payee=SIGNER)),
}


@pytest.mark.parametrize("label", sorted(READING_CASES))
def test_readings_that_missed_the_risk_are_not_allowed(label):
    decision = decide(READING_CASES[label])
    assert decision["verdict"] != "ALLOW" and (decision["error"] is None or decision["error"][0] != "INTERNAL_ERROR")


def _consideration(item_type: int, token: str, amount: int) -> dict:
    return {
        "itemType": item_type,
        "token": token,
        "identifierOrCriteria": "0",
        "startAmount": str(amount),
        "endAmount": str(amount),
        "recipient": SIGNER,
    }


@pytest.mark.parametrize(
    "consideration",
    [
        [
            _consideration(0, "0x" + "00" * 20, 1),
            _consideration(1, "0x" + "77" * 20, 10**30),
        ],  # dust plus a worthless token
        [_consideration(1, "0x" + "77" * 20, 10**30)],  # only a token the gate cannot value
        [_consideration(2, "0x" + "77" * 20, 1)],  # only an item from an unknown collection
        [_consideration(1, USDC, 150)],  # 0.00015 USDC
    ],
)
def test_a_listing_paid_in_dust_or_in_nothing_valuable_is_not_allowed(consideration):
    order = seaport_order(SIGNER, 1, buyer_payee=SIGNER)
    order["message"]["consideration"] = consideration
    assert decide(typed_request(order))["verdict"] != "ALLOW"


def test_a_seaport_price_that_decays_to_zero_gives_nothing_back():
    order = seaport_order(SIGNER, 10**18)
    order["message"]["consideration"][0]["endAmount"] = "0"
    assert "NFT_ORDER_NOTHING_BACK" in decide(typed_request(order))["codes"]


@pytest.mark.parametrize(
    "text, origin",
    [
        (SIWE.replace("\n", "\r\n"), "https://evil.example"),  # CRLF line endings
        ("\n" + SIWE, "https://evil.example"),  # a leading blank line
        (SIWE, "http://app.example"),  # the right host over another scheme (EIP-4361: https unless the message says)
    ],
)
def test_sign_in_messages_are_recognised_however_they_are_laid_out(text, origin):
    decision = decide(request("personal_sign", [_tx_hex(text.encode()), SIGNER], origin=origin))
    assert decision["verdict"] == "BLOCK" and "SIWE_DOMAIN_MISMATCH" in decision["codes"]


@pytest.mark.parametrize(
    "commands",
    [
        [(0x0E, ["address", "address", "uint256"], [SIGNER, USDC, 0])],  # a balance check only
        [(0x0B, ["address", "uint256"], ["0x" + "00" * 19 + "01", 1])],  # wraps 1 wei of the 10 ETH sent
    ],
)
def test_eth_left_in_the_router_is_stranded(commands):
    tx = {"from": SIGNER, "to": UNIVERSAL_ROUTER, "value": hex(10**19), "data": _tx_hex(ur_execute(commands))}
    assert "ROUTER_OUTPUT_STRANDED" in decide(send(tx))["codes"]


def test_near_max_approval_to_a_known_spender_is_unlimited():
    data = calldata("approve(address,uint256)", ["address", "uint256"], [PERMIT2, 2**128 - 1])
    assert "APPROVAL_UNLIMITED" in decide(send({"from": SIGNER, "to": USDC, "data": _tx_hex(data)}))["codes"]


def test_dai_permit_allowed_true_is_read_not_rejected():
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "holder", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "expiry", "type": "uint256"},
                {"name": "allowed", "type": "bool"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": "Dai Stablecoin",
            "version": "1",
            "chainId": 1,
            "verifyingContract": "0x6B175474E89094C44Da98b954EedeAC495271d0F",
        },
        "message": {"holder": SIGNER, "spender": FRIEND, "nonce": "0", "expiry": "0", "allowed": True},
    }
    decision = decide(typed_request(typed))
    assert decision["error"] is None and decision["digest"] is not None and "APPROVAL_UNLIMITED" in decision["codes"]


# --- 4. address poisoning ------------------------------------------------------------------------------


def test_a_look_alike_of_a_known_address_is_blocked_and_a_first_send_steps_up():
    twin = "0x7099" + "ab" * 16 + "79c8"
    assert decide(send({**BASE_TX, "to": twin}, known_addresses=[FRIEND]))["verdict"] == "BLOCK"
    assert decide(send({**BASE_TX, "to": "0x" + "12" * 20}, known_addresses=[FRIEND]))["verdict"] == "STEP_UP"
    assert decide(send(BASE_TX, known_addresses=[FRIEND]))["verdict"] == "ALLOW"


def test_known_addresses_are_capped_and_validated():
    assert decide(send(BASE_TX, known_addresses=["0x12"]))["error"][0] == "ADDRESS_INVALID"
    assert decide(send(BASE_TX, known_addresses=[FRIEND] * 513))["error"][0] == "REQUEST_TOO_LARGE"


# --- 5. work without bounds ----------------------------------------------------------------------------


def _aliased_multicall(copies: int, blob: int) -> bytes:
    """multicall(bytes[]) whose `copies` offsets all point at one `blob`-byte element."""
    element_offset = 32 * copies
    head = (32).to_bytes(32, "big") + copies.to_bytes(32, "big") + element_offset.to_bytes(32, "big") * copies
    element = blob.to_bytes(32, "big") + b"\x11" * blob
    return calldata("multicall(bytes[])", [], []) + head + element


def test_offsets_that_alias_one_blob_are_paid_for_once_per_copy():
    ctx = DecodeContext(1)
    call = decode_call(UNIVERSAL_ROUTER, 0, _aliased_multicall(1024, 200 * 1024), ctx)
    assert ctx.abi_bytes <= MAX_ABI_DECODED_BYTES + 200 * 1024 + 64
    assert "CALL_NESTING_EXCEEDED" in {n.code for n in ctx.notes} and call.confidence < 1


def _self_nested_plan(levels: int) -> bytes:
    """A Universal Router plan of EXECUTE_SUB_PLAN commands, each input the whole plan below it, twice."""
    inputs: list[bytes] = [encode(["address", "uint256"], [SIGNER, 1])]
    commands = b"\x0b"
    for _ in range(levels):
        inner = encode(["bytes", "bytes[]"], [commands, inputs])
        commands, inputs = b"\x21\x21", [inner, inner]
    return calldata("execute(bytes,bytes[],uint256)", ["bytes", "bytes[]", "uint256"], [commands, inputs, 2**40])


def test_nested_router_plans_share_one_budget():
    ctx = DecodeContext(1)
    decode_call(UNIVERSAL_ROUTER, 0, _self_nested_plan(12), ctx)
    assert ctx.calls <= 257 and ctx.abi_bytes <= MAX_ABI_DECODED_BYTES + 64 * 1024
    assert (
        decide(send({"from": SIGNER, "to": UNIVERSAL_ROUTER, "data": _tx_hex(_self_nested_plan(12))}))["verdict"]
        != "ALLOW"
    )


def test_storage_keys_are_counted_as_they_are_read(monkeypatch):
    from dmind.edge.parse import txobject

    read = []
    real = txobject.parse_bytes
    monkeypatch.setattr(txobject, "parse_bytes", lambda *a, **k: read.append(1) or real(*a, **k))
    tx = {**BASE_TX, "accessList": [{"address": FRIEND, "storageKeys": ["0x" + "00" * 32] * 3200}] * 256}
    assert evaluate_json(send(tx), now=FIXED_NOW).error[0] == "REQUEST_TOO_LARGE" and not read


def test_look_alikes_are_compared_only_with_known_addresses_that_share_their_ends():
    from dmind.edge.rules import counterparties

    calls = []
    real = counterparties.looks_like
    counterparties.looks_like = lambda a, b: calls.append(1) or real(a, b)
    try:
        known = ["0x%040x" % (i * 7919 + 1) for i in range(512)]
        decide(send({**BASE_TX, "to": "0x" + "ab" * 20}, known_addresses=known))
    finally:
        counterparties.looks_like = real
    assert len(calls) < 16


@pytest.mark.parametrize(
    "tx, code",
    [
        ({**BASE_TX, "authorizationList": [AUTH] * 16_000}, "REQUEST_TOO_LARGE"),
        ({**BASE_TX, "accessList": [{"address": FRIEND, "storageKeys": []}] * 20_000}, "REQUEST_TOO_LARGE"),
    ],
)
def test_lists_in_a_transaction_are_capped(tx, code):
    assert decide(send(tx))["error"][0] == code


def test_deep_array_types_are_refused_in_linear_time():
    typed = eip2612_permit(PERMIT2, 1, FIXED_NOW + 60)
    typed["types"]["Permit"].append({"name": "deep", "type": "uint256" + "[]" * 60_000})
    assert decide(typed_request(typed))["error"][0] == "TYPED_DATA_INVALID"


def test_cbor_value_sharing_is_refused_before_decoding():
    # tag 28 (shareable) / 29 (shared reference) nested: cbor2 would expand this exponentially
    message = (
        bytes.fromhex("a4")
        + cbor2.dumps("api_version")
        + b"\x01"
        + cbor2.dumps("request_id")
        + b"\x01"
        + cbor2.dumps("op")
        + cbor2.dumps("evaluate")
        + cbor2.dumps("request")
        + b"\xd8\x1c\x82"
        + b"\xd8\x1d\x00" * 2
    )
    response = cbor2.loads(Bridge().handle(message))
    assert response["code"] == "BRIDGE_MESSAGE_INVALID" and "tag" in response["message"]


# --- 6. crashes at the boundary ------------------------------------------------------------------------

HUGE = "9" * 5000


@pytest.mark.parametrize(
    "obj",
    [
        send({**BASE_TX, "value": HUGE}),
        send({**BASE_TX, "nonce": HUGE}),
        send({**BASE_TX, "chainId": HUGE}),
        typed_request(
            {
                **eip2612_permit(PERMIT2, 1, FIXED_NOW + 60),
                "message": {**eip2612_permit(PERMIT2, 1, 1)["message"], "value": HUGE},
            }
        ),
        typed_request(
            {
                **eip2612_permit(PERMIT2, 1, FIXED_NOW + 60),
                "types": {
                    **eip2612_permit(PERMIT2, 1, 1)["types"],
                    "Permit": [{"name": "x", "type": "uint256[" + HUGE + "]"}],
                },
            }
        ),
        request(
            "eth_signTypedData_v4",
            [
                SIGNER,
                {
                    **eip2612_permit(PERMIT2, 1, 1),
                    "primaryType": "P\ud800",
                    "types": {**eip2612_permit(PERMIT2, 1, 1)["types"], "P\ud800": []},
                },
            ],
        ),
        request("personal_sign", [_tx_hex(SIWE.encode()), SIGNER], origin="http://[::1"),
    ],
)
def test_hostile_values_never_reach_an_internal_error(obj):
    decision = evaluate_json(obj, now=FIXED_NOW)
    assert decision.verdict != "ALLOW" and (decision.error is None or decision.error[0] != "INTERNAL_ERROR")


@pytest.mark.parametrize("tag", [2, 3, 4, 5, 28, 29, 35, 258])
def test_bridge_refuses_every_tag_before_cbor2_sees_it(tag):
    value = {2: b"\x01" * 9, 3: b"\x01", 4: [1, 2], 5: [1, 2], 28: 1, 29: 0, 35: "a+", 258: [1]}[tag]
    message = cbor2.dumps({"api_version": 1, "request_id": cbor2.CBORTag(tag, value), "op": "info"})
    response = cbor2.loads(Bridge().handle(message))
    assert response["code"] == "BRIDGE_MESSAGE_INVALID" and response["request_id"] is None


@pytest.mark.parametrize(
    "data", [b'{"api_version": 1, "request_id": "\\ud800", "op": "info"}', b"{not json", b'{"a": 1, "a": 2}']
)
def test_bad_json_requests_get_a_json_answer(data):
    response = json.loads(Bridge().handle(data))
    assert response["code"] == "BRIDGE_MESSAGE_INVALID" and response["request_id"] is None


# --- 7. policies that do not mean what they say ---------------------------------------------------------


def test_an_override_of_a_misspelt_code_is_an_invalid_policy_naming_the_real_one():
    with pytest.raises(PolicyError) as caught:
        policy_from_dict(
            {**policy_to_dict(default_policy()), "overrides": {"APROVAL_UNLIMITED": {"verdict": "IGNORE"}}}
        )
    assert "APPROVAL_UNLIMITED" in str(caught.value)


def test_tier_codes_may_be_overridden():
    policy = policy_from_dict(
        {**policy_to_dict(default_policy()), "overrides": {"ADDRESS_POISONING": {"verdict": "BLOCK"}}}
    )
    assert "ADDRESS_POISONING" in policy.overrides


def test_fail_closed_codes_cannot_be_ignored():
    policy = policy_from_dict(
        {**policy_to_dict(default_policy()), "overrides": {"QUANTITY_AMBIGUOUS": {"verdict": "IGNORE"}}}
    )
    assert evaluate_json(send({**BASE_TX, "value": "1e18"}), policy=policy, now=FIXED_NOW).verdict != "ALLOW"
