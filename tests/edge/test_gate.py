"""The gate: noisy-OR risk, thresholds, policy overrides, and fail-closed decisions."""

from __future__ import annotations

import pytest
from dmind.edge import evaluate_json
from dmind.edge.findings import CATALOG, SEVERITY_WEIGHTS, Finding
from dmind.edge.gate import combine_risk, gate
from dmind.policies import default_policy, policy_from_dict
from dmind.policies.model import policy_to_dict

from tests.builders import SIGNER, request

POLICY = default_policy()


def finding(code: str, message: str) -> Finding:
    """A finding of `code` as the catalogue weighs it, whatever its sentence (the gate reads only code and weight)."""
    severity = CATALOG[code][0]
    return Finding(code, severity, SEVERITY_WEIGHTS[severity], message)


def test_risk_is_a_noisy_or_of_weights():
    low, high = finding("HEX_NO_PREFIX", "x"), finding("APPROVAL_UNLIMITED", "y")
    assert combine_risk(()) == 0
    assert combine_risk((high,)) == pytest.approx(high.weight)
    assert combine_risk((low, high)) == pytest.approx(1 - (1 - low.weight) * (1 - high.weight))


def test_verdicts_follow_thresholds():
    assert gate((), 1.0, POLICY)[0] == "ALLOW"
    assert gate((), POLICY.thresholds.tau_conf - 0.01, POLICY)[0] == "STEP_UP"
    assert gate((finding("SPENDER_UNKNOWN", "x"),), 1.0, POLICY)[0] == "STEP_UP"
    assert gate((finding("BLIND_SIGNATURE", "x"),), 1.0, POLICY)[0] == "BLOCK"
    two_high = (
        finding("APPROVAL_UNLIMITED", "x"),
        finding("APPROVAL_FOR_ALL", "y"),
        finding("OWNERSHIP_TRANSFER", "z"),
    )
    assert gate(two_high, 1.0, POLICY)[0] == "BLOCK"  # 1 - 0.4^3 > τ_block


def test_policy_overrides_change_verdicts():
    policy = policy_from_dict(
        {
            **policy_to_dict(default_policy()),
            "overrides": {
                "SPENDER_UNKNOWN": {"verdict": "BLOCK"},
                "BLIND_SIGNATURE": {"verdict": "STEP_UP", "severity": "high"},
                "TRANSFER_RECIPIENT_NOT_SIGNER": {"verdict": "IGNORE"},
            },
        }
    )
    assert gate((finding("SPENDER_UNKNOWN", "x"),), 1.0, policy)[0] == "BLOCK"
    verdict, _, findings, _ = gate((finding("BLIND_SIGNATURE", "x"),), 1.0, policy)
    assert verdict == "STEP_UP" and findings[0].severity == "high"
    assert gate((finding("TRANSFER_RECIPIENT_NOT_SIGNER", "x"),), 1.0, policy)[2] == ()


@pytest.mark.parametrize(
    "obj,verdict,code",
    [
        ({"request": {"method": "eth_sendRawTransaction", "params": ["0x02c0"]}}, "BLOCK", "TX_FIELD_COUNT"),
        ({"request": {"method": "eth_sendRawTransaction", "params": ["0x02"]}}, "BLOCK", "RLP_INVALID"),
        ({"request": {"method": "wallet_switchEthereumChain", "params": []}}, "STEP_UP", "METHOD_UNSUPPORTED"),
        ("nonsense", "BLOCK", "REQUEST_INVALID"),
        (request("eth_signTypedData_v4", [SIGNER, "{}"]), "BLOCK", "TYPED_DATA_INVALID"),
    ],
)
def test_bad_input_fails_closed_with_a_code(obj, verdict, code):
    decision = evaluate_json(obj)
    assert decision.verdict == verdict and decision.error[0] == code
    assert decision.findings[0].code == code


def test_decision_is_bound_to_the_digest():
    first = evaluate_json(request("personal_sign", ["0x01", SIGNER]))
    second = evaluate_json(request("personal_sign", ["0x02", SIGNER]))
    assert first.digest and second.digest and first.digest != second.digest
    assert first.digest == first.payload.digest


def test_internal_errors_fail_closed(monkeypatch):
    from dmind.edge import pipeline

    def broken(*_):
        raise KeyError("bug")

    monkeypatch.setattr(pipeline, "decode_intent", broken)
    decision = evaluate_json(request("personal_sign", ["0x01", SIGNER]))
    assert decision.verdict == "BLOCK" and decision.error[0] == "INTERNAL_ERROR"
