"""The fuzz harness, briefly: hypothesis picks the mutations; the long runs are `python -m tests.fuzz`."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import TARGETS, Report, fuzz, run_one


@pytest.mark.parametrize("target", sorted(TARGETS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hypothesis_mutants_show_no_crash_internal_error_or_changed_allow(target, data):
    seeds = TARGETS[target][0]()
    base = data.draw(st.sampled_from(seeds))
    cut = data.draw(st.integers(0, len(base)))
    insert = data.draw(st.binary(max_size=40))
    mutant = base[:cut] + insert + base[cut + data.draw(st.integers(0, 8)) :]
    report = Report(target)
    run_one(target, mutant if mutant else base, report)
    assert (report.crashes, report.internal_errors, report.changed_allows) == (0, 0, 0), report.examples


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_short_seeded_run_is_clean(target):
    report = fuzz(target, 150, seed=3)
    assert report.inputs == 150
    assert (report.crashes, report.internal_errors, report.changed_allows) == (0, 0, 0), report.examples


def test_the_harness_catches_a_boundary_that_raises(monkeypatch):
    from . import harness

    def broken(data: bytes):
        raise KeyError("a bug")

    monkeypatch.setitem(harness.TARGETS, "request_json", (harness.TARGETS["request_json"][0], broken))
    report = Report("request_json")
    run_one("request_json", b"{}", report)
    assert report.crashes == 1
