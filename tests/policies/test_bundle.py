"""Signed bundles: build → sign → verify round trips, every refusal's code, rollback, activation."""

from __future__ import annotations

import tomllib

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.policies import default_policy, policy_from_dict, policy_to_dict
from dmind.policies.base58 import b58encode
from dmind.policies.bundle import (
    CONTENT_TYPE,
    BundleError,
    TrustStore,
    build_payload,
    key_id,
    sign_bundle,
    verify_bundle,
)
from dmind.policies.cose import sign1
from dmind.policies.default import default_policy_source
from dmind.policies.model import DISCLOSABLE_FIELDS, PLANS, PRIVACY_PROFILES
from dmind.policies.store import ACTIVE, REVISIONS, PolicyStore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NOW = 1_800_000_000
DAY = 86400
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
TRUST = TrustStore()
TRUST.add(KEY.public_key())
RUNTIME = "0.1.0"


def make_bundle(
    revision: int = 1, key: Ed25519PrivateKey = KEY, issued: int = NOW - DAY, days: int = 30, **changes
) -> bytes:
    policy = policy_from_dict({**policy_to_dict(default_policy()), "revision": revision, **changes})
    return sign_bundle(build_payload(policy, issued, issued, issued + days * DAY, "0.1.0", (1,)), key)


def test_default_toml_is_the_builtin_default():
    assert policy_from_dict(tomllib.loads(default_policy_source())) == default_policy()


def test_payload_is_deterministic():
    assert make_bundle() == make_bundle()


MAINNET, DEVNET = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
solana_addresses = st.binary(min_size=32, max_size=32).map(b58encode)
per_chain = st.fixed_dictionaries(
    {},
    optional={
        "1": st.lists(addresses, max_size=3),
        "eip155:10": st.lists(addresses, max_size=3),  # the CAIP-2 spelling reads as the decimal one
        "137": st.lists(addresses, max_size=3),
        MAINNET: st.lists(solana_addresses, max_size=3),
        DEVNET: st.lists(solana_addresses, max_size=3),
    },
)
tokens = st.fixed_dictionaries(
    {"symbol": st.from_regex(r"[A-Za-z0-9$]{1,8}", fullmatch=True), "decimals": st.integers(0, 36)}
)
policies = st.fixed_dictionaries(
    {
        "policy_id": st.text(min_size=1, max_size=12),
        "revision": st.integers(0, 2**32),
        "thresholds": st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)).map(
            lambda t: {"tau_conf": t[0], "tau_risk": min(t[1], t[2]), "tau_block": max(t[1], t[2])}
        ),
        "overrides": st.dictionaries(
            st.sampled_from(["APPROVAL_UNLIMITED", "SPENDER_UNKNOWN", "BLIND_SIGNATURE"]),
            st.fixed_dictionaries(
                {},
                optional={
                    "severity": st.sampled_from(["low", "high"]),
                    "weight": st.floats(0, 1),
                    "verdict": st.sampled_from(["BLOCK", "IGNORE"]),
                },
            ),
        ),
        "known_spenders": per_chain,
        "known_routers": per_chain,
        "delegates_7702": per_chain,
        "known_contracts": per_chain,
        "denylist": st.lists(addresses | solana_addresses, max_size=3),
        "approval_limits": st.fixed_dictionaries(
            {},
            optional={
                "1": st.dictionaries(addresses, st.integers(0, 2**200).map(str), max_size=2),
                MAINNET: st.dictionaries(solana_addresses, st.integers(0, 2**64 - 1).map(str), max_size=2),
            },
        ),
        "known_tokens": st.fixed_dictionaries(
            {},
            optional={
                "1": st.dictionaries(addresses, tokens, max_size=2),
                MAINNET: st.dictionaries(solana_addresses, tokens, max_size=2),
            },
        ),
        "max_permit_lifetime_s": st.integers(1, 10**9),
        "require_chain_context": st.booleans(),
        "privacy": st.fixed_dictionaries(
            {
                "profile": st.sampled_from(PRIVACY_PROFILES),
                "disclose": st.dictionaries(
                    st.sampled_from(PRIVACY_PROFILES), st.lists(st.sampled_from(DISCLOSABLE_FIELDS), unique=True)
                ),
            }
        ),
        "routing": st.fixed_dictionaries(
            {
                "cloud_allowed": st.booleans(),
                "latency_budget_ms": st.dictionaries(st.sampled_from(PLANS), st.integers(1, 10**6)),
            }
        ),
        "step_up": st.fixed_dictionaries(
            {
                "require_local_verdict": st.booleans(),
                "allow_device_confirmation": st.booleans(),
                "local_timeout_ms": st.integers(1, 10**6),
            }
        ),
    }
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies)
def test_random_policies_round_trip(raw):
    policy = policy_from_dict(raw)
    bundle = sign_bundle(build_payload(policy, NOW, NOW, NOW + DAY, "0.1.0", (1, 10, 137, MAINNET, DEVNET)), KEY)
    verified = verify_bundle(bundle, TRUST, NOW + 1, RUNTIME)
    assert verified.policy == policy
    assert verified.info.scope == ("eip155:1", "eip155:10", "eip155:137", MAINNET, DEVNET)


def _resign(payload: dict, key: Ed25519PrivateKey = KEY, canonical: bool = True) -> bytes:
    return sign_bundle(cbor2.dumps(payload, canonical=canonical), key)


def _payload() -> dict:
    from dmind.policies.cose import decode_sign1

    return cbor2.loads(decode_sign1(make_bundle()).payload)


OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
PERMIT2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3"


@pytest.mark.parametrize(
    "data,code,now",
    [
        (make_bundle()[:-1], "BUNDLE_CBOR_TRUNCATED", NOW),
        (make_bundle() + b"\x00", "BUNDLE_CBOR_TRAILING", NOW),
        (make_bundle(key=OTHER_KEY), "BUNDLE_KID_UNKNOWN", NOW),
        (make_bundle(), "BUNDLE_EXPIRED", NOW + 40 * DAY),
        (make_bundle(issued=NOW + DAY), "BUNDLE_NOT_YET_VALID", NOW),
        (
            sign1(
                cbor2.dumps(_payload(), canonical=True), KEY, key_id(KEY.public_key()), CONTENT_TYPE, b"another domain"
            ),
            "BUNDLE_SIGNATURE_INVALID",
            NOW,
        ),  # a valid signature made for another purpose
        (_resign({**_payload(), "schema": "dmind-policy/2"}), "BUNDLE_SCHEMA_INVALID", NOW),
        (_resign({**_payload(), "revision": 9}), "BUNDLE_SCHEMA_INVALID", NOW),  # differs from policy.revision
        (_resign({**_payload(), "min_runtime": "9.0.0"}), "BUNDLE_RUNTIME_TOO_OLD", NOW),
        (_resign({**_payload(), "extra": 1}), "BUNDLE_SCHEMA_INVALID", NOW),
        (
            _resign({**_payload(), "policy": {**_payload()["policy"], "thresholds": {"tau_conf": 2}}}),
            "BUNDLE_SCHEMA_INVALID",
            NOW,
        ),
        (_resign({**_payload(), "scope": [10]}), "BUNDLE_SCHEMA_INVALID", NOW),  # policy names chain 1
        (_resign({**_payload(), "scope": ["eip155:1"]}), "BUNDLE_SCHEMA_INVALID", NOW),  # EVM chains are integers
        (_resign({**_payload(), "scope": [MAINNET, 1]}), "BUNDLE_SCHEMA_INVALID", NOW),  # EVM chains come first
        (_resign({**_payload(), "scope": [1, "solana:mainnet"]}), "BUNDLE_SCHEMA_INVALID", NOW),  # not CAIP-2
        (_resign({**_payload(), "scope": [1, 1]}), "BUNDLE_SCHEMA_INVALID", NOW),
        (
            _resign({**_payload(), "policy": {**_payload()["policy"], "known_tokens": {MAINNET: {}}}}),
            "BUNDLE_SCHEMA_INVALID",
            NOW,
        ),  # a chain outside the scope
        (
            _resign(
                {**_payload(), "policy": {**_payload()["policy"], "known_spenders": {"eip155:1": [PERMIT2.lower()]}}}
            ),
            "BUNDLE_SCHEMA_INVALID",
            NOW,
        ),  # the same policy as "1", in other bytes
        (b"\xd2" + b"\x00" * 300_000, "BUNDLE_TOO_LARGE", NOW),
    ],
)
def test_each_refusal_has_its_code(data, code, now):
    with pytest.raises(BundleError) as caught:
        verify_bundle(data, TRUST, now, RUNTIME)
    assert caught.value.code == code


def test_non_deterministic_and_duplicate_payloads_are_refused():
    payload = cbor2.dumps(_payload(), canonical=True)
    # the key "schema" with its length in two bytes: the same value, not the shortest form
    longer = payload.replace(b"\x66schema", b"\x78\x06schema", 1)
    assert longer != payload and cbor2.loads(longer) == cbor2.loads(payload)
    with pytest.raises(BundleError) as caught:
        verify_bundle(sign_bundle(longer, KEY), TRUST, NOW, RUNTIME)
    assert caught.value.code == "BUNDLE_CBOR_NONCANONICAL"
    # one more map entry, repeating "schema": cbor2 alone would keep the last value
    duplicated = bytes([payload[0] + 1]) + payload[1:] + b"\x66schema\x61x"
    with pytest.raises(BundleError) as caught:
        verify_bundle(sign_bundle(duplicated, KEY), TRUST, NOW, RUNTIME)
    assert caught.value.code == "BUNDLE_CBOR_DUPLICATE_KEY"


def test_every_bit_flip_is_rejected():
    bundle = make_bundle()
    for index in range(len(bundle) * 8):
        flipped = bytearray(bundle)
        flipped[index // 8] ^= 1 << (index % 8)
        with pytest.raises(BundleError):
            verify_bundle(bytes(flipped), TRUST, NOW, RUNTIME)


def test_install_rolls_forward_only_and_survives_restart(tmp_path):
    store = PolicyStore(tmp_path, TRUST, RUNTIME)
    assert store.active(NOW) is None
    assert store.install(make_bundle(5), NOW).info.revision == 5
    for stale in (4, 5):
        with pytest.raises(BundleError) as caught:
            store.install(make_bundle(stale), NOW)
        assert caught.value.code == "BUNDLE_ROLLBACK"
        assert store.active(NOW).info.revision == 5
    store.install(make_bundle(6), NOW)
    restarted = PolicyStore(tmp_path, TRUST, RUNTIME)
    assert restarted.active(NOW).info.revision == 6
    tampered = bytearray(make_bundle(7))
    tampered[-5] ^= 0xFF
    with pytest.raises(BundleError) as caught:
        restarted.install(bytes(tampered), NOW)
    assert caught.value.code == "BUNDLE_SIGNATURE_INVALID"
    assert restarted.active(NOW).info.revision == 6
    assert restarted.revisions() == {"builtin-default": 6}


def test_another_bundle_id_needs_consent(tmp_path):
    store = PolicyStore(tmp_path, TRUST, RUNTIME)
    store.install(make_bundle(3), NOW)
    other = make_bundle(1, policy_id="vendor-b")
    with pytest.raises(BundleError) as caught:
        store.install(other, NOW)
    assert caught.value.code == "BUNDLE_ID_MISMATCH"
    assert store.install(other, NOW, allow_new_id=True).info.bundle_id == "vendor-b"
    with pytest.raises(BundleError):  # and the old id cannot come back at an old revision
        store.install(make_bundle(3), NOW, allow_new_id=True)


def test_crash_after_the_record_write_only_makes_the_device_stricter(tmp_path):
    store = PolicyStore(tmp_path, TRUST, RUNTIME)
    store.install(make_bundle(3), NOW)
    (tmp_path / REVISIONS).write_bytes(cbor2.dumps({"builtin-default": 5}, canonical=True))  # crash before activation
    with pytest.raises(BundleError) as caught:
        store.install(make_bundle(4), NOW)
    assert caught.value.code == "BUNDLE_ROLLBACK" and store.active(NOW).info.revision == 3
    assert store.install(make_bundle(6), NOW).info.revision == 6


def test_an_expired_active_bundle_still_holds_its_revision(tmp_path):
    store = PolicyStore(tmp_path, TRUST, RUNTIME)
    store.install(make_bundle(3), NOW)
    (tmp_path / ACTIVE).write_bytes(make_bundle(5, days=2))  # active 5, record still 3
    later = NOW + 10 * DAY
    with pytest.raises(BundleError) as caught:
        store.install(make_bundle(4, issued=later - DAY, days=90), later)
    assert caught.value.code == "BUNDLE_ROLLBACK"
    assert store.revisions()["builtin-default"] == 5
    with pytest.raises(BundleError) as caught:  # nor may it be swapped for another id silently
        store.install(make_bundle(1, issued=later - DAY, policy_id="other"), later)
    assert caught.value.code == "BUNDLE_ID_MISMATCH"


def test_concurrent_installs_never_lower_the_record(tmp_path):
    import threading

    store = PolicyStore(tmp_path, TRUST, RUNTIME)
    store.install(make_bundle(1), NOW)
    bundles = [make_bundle(r) for r in (5, 4, 7, 6)]
    barrier = threading.Barrier(len(bundles))

    def install(data):
        barrier.wait()
        try:
            PolicyStore(tmp_path, TRUST, RUNTIME).install(data, NOW)
        except BundleError as exc:
            assert exc.code == "BUNDLE_ROLLBACK"

    threads = [threading.Thread(target=install, args=(b,)) for b in bundles]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.revisions()["builtin-default"] == store.active(NOW).info.revision == 7


def test_unprotected_headers_and_canonical_form_are_enforced():
    from cbor2 import CBORTag

    body = cbor2.loads(make_bundle()).value
    padded = cbor2.dumps(CBORTag(18, [body[0], {99: b"x" * 10}, body[2], body[3]]), canonical=True)
    with pytest.raises(BundleError) as caught:
        verify_bundle(padded, TRUST, NOW, RUNTIME)
    assert caught.value.code == "BUNDLE_STRUCTURE_INVALID"
    as_int = _payload()
    as_int["policy"]["thresholds"]["tau_conf"] = 1  # 1 where 1.0 belongs: same policy, other bytes
    with pytest.raises(BundleError) as caught:
        verify_bundle(_resign(as_int), TRUST, NOW, RUNTIME)
    assert caught.value.code == "BUNDLE_SCHEMA_INVALID"


@pytest.mark.parametrize(
    "protected",
    [
        {1: -8, 2: [[1]]},
        {1: -8, 2: [{}]},
        {1: -8, 2: []},
        {1: -8, 2: [3]},  # crit malformed, empty, or naming an absent label
        {1: -8.0},
        {1: True},  # alg as float or bool
    ],
)
def test_hostile_protected_headers_fail_cleanly(protected):
    from cbor2 import CBORTag

    header = cbor2.dumps({**protected, 3: CONTENT_TYPE, 4: key_id(KEY.public_key())}, canonical=True)
    data = cbor2.dumps(CBORTag(18, [header, {}, cbor2.dumps(_payload(), canonical=True), b"\x00" * 64]), canonical=True)
    with pytest.raises(BundleError):
        verify_bundle(data, TRUST, NOW, RUNTIME)


@pytest.mark.parametrize(
    "change",
    [
        {"scope": [[1]]},
        {"scope": [None, 1]},
        {1: 0},
        {"revision": 2**64},
        {"min_runtime": "²"},
        {"revision": True},
    ],
)
def test_hostile_payloads_fail_cleanly(change):
    payload = {**_payload(), **change}
    try:
        data = _resign(payload)
    except Exception:  # cbor2 cannot even encode it the canonical way: nothing to verify
        return
    with pytest.raises(BundleError):
        verify_bundle(data, TRUST, NOW, RUNTIME)


def test_runtime_versions_follow_pep_440_release_numbers():
    for runtime in ("0.1.0", "0.1.0rc1", "0.1.0.dev3", "1.0", "2"):
        verify_bundle(make_bundle(), TRUST, NOW, runtime)
    with pytest.raises(BundleError) as caught:
        verify_bundle(make_bundle(), TRUST, NOW, "0.0.9")
    assert caught.value.code == "BUNDLE_RUNTIME_TOO_OLD"


cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=8)
    | st.binary(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.integers(-3, 5) | st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300)
    | cbor_values.map(lambda v: cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps(v), {}, cbor2.dumps(v), b"\x00" * 64])))
)
def test_hostile_bytes_raise_only_bundle_errors(data):
    try:
        verify_bundle(data, TRUST, NOW, RUNTIME)
    except BundleError:
        pass


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        ["schema", "bundle_id", "revision", "issued_at", "not_before", "expires_at", "min_runtime", "scope", "policy"]
    ),
    cbor_values,
)
def test_signed_payloads_with_a_hostile_field_raise_only_bundle_errors(field, value):
    payload = {**_payload(), field: value}
    try:
        data = _resign(payload)
    except (TypeError, ValueError, cbor2.CBOREncodeError):
        return  # not encodable canonically: there is nothing to verify
    try:
        verify_bundle(data, TRUST, NOW, RUNTIME)
    except BundleError:
        pass
