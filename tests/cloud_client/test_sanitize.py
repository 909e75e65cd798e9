"""P_pub and its audit: nothing planted leaks, and the detector does catch a leak."""

from __future__ import annotations

import json

from dmind.cloud_client.audit import generate, run_audit, violations
from dmind.cloud_client.sanitize import FIELDS, amount_bucket, sanitize
from dmind.edge import evaluate_json
from dmind.policies import default_policy, policy_from_dict, policy_to_dict
from dmind.policies.model import DISCLOSABLE_FIELDS

POLICY = default_policy()


def test_the_field_table_is_the_policy_vocabulary():
    assert set(FIELDS) == set(DISCLOSABLE_FIELDS)


def test_no_profile_leaks_anything_planted():
    result = run_audit(600, POLICY)
    for profile, row in result["profiles"].items():
        assert row["requests"] == 600 and row["violations"] == 0, (profile, row["examples"])


def test_the_detector_catches_a_leaky_field():
    leaky = {
        **FIELDS,
        "contract": lambda decision, policy, origin: [decision.payload.signer],
    }  # a rule "disabled": the signer goes out
    result = run_audit(50, POLICY, fields=leaky)
    assert all(row["violations"] == 50 for row in result["profiles"].values())


def test_a_profile_discloses_only_what_it_lists():
    strict_only = policy_from_dict(
        {**policy_to_dict(POLICY), "privacy": {"profile": "strict", "disclose": {"strict": ["action"]}}}
    )
    case = next(generate(1))
    projection = sanitize(evaluate_json(case.request, policy=strict_only), strict_only, case.request["origin"])
    assert set(projection) == {"profile", "findings", "verdict", "action"} and not violations(projection, case)


def test_amounts_are_bucketed():
    assert [amount_bucket(a) for a in (0, 7, 10, 999, 10**18, 2**200)] == [
        "0",
        "1e0",
        "1e1",
        "1e2",
        "1e18",
        "unlimited",
    ]


def test_origin_keeps_only_the_host():
    case = next(generate(1))
    projection = sanitize(evaluate_json(case.request, policy=POLICY), POLICY, case.request["origin"], "default")
    assert projection["origin_host"] == case.request["origin"].split("/")[2]
    assert "?" not in json.dumps(projection)


def test_the_generator_covers_the_shapes_that_once_leaked():
    """Earlier field rules leaked through calldata-bearing targets and lenient host parsing; the audit must see that."""
    from urllib.parse import urlsplit

    from dmind.edge.rules.context import steps

    old_contracts = {
        **FIELDS,
        "contract": lambda d, p, o: sorted(
            {s.to.lower() for s in steps(d.intent) if s.to and getattr(s.node, "data", b"")}
        ),
    }
    old_origin = {**FIELDS, "origin_host": lambda d, p, o: urlsplit(o if "://" in o else f"https://{o}").hostname}
    for leaky in (old_contracts, old_origin):
        result = run_audit(60, POLICY, fields=leaky)
        assert result["profiles"]["default"]["violations"] > 0


def test_a_solana_projection_names_programs_and_buckets_never_the_user_or_the_recipient():
    import solders.system_program as sp

    from tests.solana_builders import FRIEND, USER, legacy, sol_request

    ix = sp.transfer(sp.TransferParams(from_pubkey=USER.pubkey(), to_pubkey=FRIEND, lamports=25 * 10**8))
    request = sol_request(legacy(ix), origin="https://app.example/swap?ref=me")
    everything = policy_from_dict(
        {
            **policy_to_dict(POLICY),
            "privacy": {"profile": "user-override", "disclose": {"user-override": sorted(DISCLOSABLE_FIELDS)}},
        }
    )
    projection = sanitize(evaluate_json(request, policy=everything), everything, request["origin"])
    assert projection["contract"] == ["11111111111111111111111111111111"]  # the System program, as written
    assert projection["amount_bucket"] == ["1e9"] and projection["counterparty_bucket"] == ["unknown-address"]
    text = json.dumps(projection)
    assert str(USER.pubkey()) not in text and str(FRIEND) not in text and "ref=me" not in text
