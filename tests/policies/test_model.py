"""Policy validation names the offending field; files load from JSON and TOML."""

from __future__ import annotations

import json

import pytest
from dmind.policies import PolicyError, default_policy, policy_from_dict
from dmind.policies.loader import load_policy_file
from dmind.policies.model import policy_to_dict


def test_default_policy_is_valid_and_knows_permit2():
    policy = default_policy()
    assert policy.policy_id == "builtin-default"
    assert policy.known_spender("eip155:1", "0x000000000022D473030F116dDEE9F6B43aC78BA3")
    assert not policy.known_spender("eip155:10", "0x000000000022D473030F116dDEE9F6B43aC78BA3")
    assert not policy.known_spender(None, "0x000000000022D473030F116dDEE9F6B43aC78BA3")


@pytest.mark.parametrize(
    "change,field",
    [
        ({"thresholds": {"tau_risk": 1.5}}, "thresholds.tau_risk"),
        ({"thresholds": {"tau_risk": 0.9, "tau_block": 0.5}}, "thresholds.tau_block"),
        ({"thresholds": {"tau_x": 0.5}}, "thresholds.tau_x"),
        ({"known_spenders": {"1": ["0x1234"]}}, "known_spenders.1[0]"),
        ({"known_spenders": {"mainnet": []}}, "known_spenders.mainnet"),
        ({"overrides": {"APPROVAL_UNLIMITED": {"verdict": "ALLOW"}}}, "overrides.APPROVAL_UNLIMITED.verdict"),
        ({"overrides": {"lower": {}}}, "overrides.lower"),
        ({"denylist": "0x00"}, "denylist"),
        ({"revision": -1}, "revision"),
        ({"approval_limits": {"1": {"0x" + "11" * 20: "lots"}}}, "approval_limits.1.0x" + "11" * 20),
        ({"unknown_key": 1}, "unknown_key"),
        ({"require_chain_context": "yes"}, "require_chain_context"),
        ({"known_spenders": {"²": []}}, "known_spenders.²"),
        ({"known_spenders": {"１": []}}, "known_spenders.１"),
        ({"revision": 2**64}, "revision"),
        (
            {"approval_limits": {"1": {"0x" + "aa" * 20: "1", "0x" + "AA" * 20: "2"}}},
            "approval_limits.1.0x" + "AA" * 20,
        ),
    ],
)
def test_errors_name_the_field(change, field):
    with pytest.raises(PolicyError) as caught:
        policy_from_dict({**policy_to_dict(default_policy()), **change})
    assert caught.value.field == field and field in str(caught.value)


def test_toml_and_json_files_load_the_same(tmp_path):
    toml = tmp_path / "p.toml"
    toml.write_text(
        'policy_id = "mine"\nrevision = 7\n[thresholds]\ntau_risk = 0.4\n[known_spenders]\n"1" = ["0x000000000022D473030F116dDEE9F6B43aC78BA3"]\n'
        '[approval_limits."1"]\n"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48" = "1000000000000000000000000"\n'
    )
    js = tmp_path / "p.json"
    js.write_text(
        json.dumps(
            {
                "policy_id": "mine",
                "revision": 7,
                "thresholds": {"tau_risk": 0.4},
                "known_spenders": {"1": ["0x000000000022D473030F116dDEE9F6B43aC78BA3"]},
                "approval_limits": {"1": {"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48": "1000000000000000000000000"}},
            }
        )
    )
    assert load_policy_file(toml) == load_policy_file(js)
    assert load_policy_file(toml).approval_limit("eip155:1", "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48") == 10**24


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy_file(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("thresholds = [")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy_file(bad)
