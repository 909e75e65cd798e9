"""The verifier's console: a real daemon on loopback, driven by a real headless Chromium (Playwright) and by httpx.

The browser test walks the flow a user does: sign in with the printed link, see an escalated
request wait for a decision, approve it (the wallet gets an ALLOW verdict signed for its digest),
add a contact with a bad address and read the refusal, unpair the device (its next request is
refused). Screenshots go to `artifacts/console/` (or `$DMIND_ARTIFACTS/console/`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from dmind.edge import evaluate_json
from dmind.edge.escalation import escalate
from dmind.edge.pairing import connect
from dmind.policies import default_policy
from dmind.policies.vocabulary import Lang

from tests.builders import USDC, calldata, eip1559, raw_tx_request
from tests.local_tier.conftest import CLI, offer_uri

STRANGER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # never used by this user: the verifier would block
APPROVAL = raw_tx_request(
    eip1559(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [STRANGER, 10**6]))
)
ARTIFACTS = Path(os.environ.get("DMIND_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts")) / "console"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _policy(user_decides_s: int):
    policy = default_policy()
    return replace(policy, step_up=replace(policy.step_up, user_decides_s=user_decides_s))


def _escalate_in_background(pairing, policy) -> tuple[Future, ThreadPoolExecutor]:
    decision = evaluate_json(APPROVAL, policy=policy)
    assert decision.verdict == "STEP_UP"
    pool = ThreadPoolExecutor(1)
    return pool.submit(escalate, decision, APPROVAL, pairing, policy), pool


def _signed_in(info) -> tuple[httpx.Client, str]:
    client = httpx.Client(timeout=10)
    base = info["console_url"].split("/login")[0]
    assert client.get(info["console_url"]).status_code in (200, 303)
    return client, base


def _wait_for(predicate, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("the console never showed it")


def test_a_request_waits_for_you_and_deny_or_silence_blocks_it(daemon, tmp_path):
    state, info = daemon
    pairing = connect(offer_uri(state), tmp_path / "wallet", "phone")
    client, base = _signed_in(info)

    waiting, pool = _escalate_in_background(pairing, _policy(30))

    def waiting_page() -> str | None:
        text = client.get(f"{base}/").text
        return text if "pending-" in text else None

    page = _wait_for(waiting_page)
    assert "phone" in page and "SPENDER_NEVER_USED" in page
    request_id = re.search(r'name="request_id" value="([0-9a-f]+)"', page).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    denied = client.post(
        f"{base}/decide", data={"csrf": csrf, "request_id": request_id, "answer": "deny"}, headers={"Origin": base}
    )
    assert denied.status_code == 303
    final = waiting.result(timeout=30)
    assert final.verdict == "BLOCK" and "denied" in final.explanation
    assert "拒绝" in final.explain(Lang.ZH)  # the verifier's reason comes in both languages
    again = client.post(
        f"{base}/decide", data={"csrf": csrf, "request_id": request_id, "answer": "approve"}, headers={"Origin": base}
    )
    assert again.status_code == 409  # answered already: a second click changes nothing

    silent, pool = _escalate_in_background(pairing, _policy(2))
    final = silent.result(timeout=30)
    assert final.verdict == "BLOCK" and "no answer" in final.explanation
    pool.shutdown()

    no_wait = escalate(evaluate_json(APPROVAL, policy=_policy(0)), APPROVAL, pairing, _policy(0))
    assert no_wait.verdict == "BLOCK"  # a policy that does not let the user decide never waits


def test_the_console_refuses_strangers_other_hosts_other_origins_and_stale_forms(daemon):
    state, info = daemon
    base = info["console_url"].split("/login")[0]
    with httpx.Client(timeout=10) as anonymous:
        assert anonymous.get(f"{base}/").status_code == 401
        assert anonymous.get(f"{base}/login", params={"secret": "guess"}).status_code == 403
        assert anonymous.get(f"{base}/login", params={"secret": "秘密"}).status_code == 403
        signed_in = anonymous.get(info["console_url"])  # a redirect carries the same protections as a page
        assert signed_in.status_code == 303 and "frame-ancestors" in signed_in.headers["content-security-policy"]
        assert anonymous.get(f"{base}/", headers={"Host": "rebound.example:80"}).status_code == 421
    client, _ = _signed_in(info)
    assert "secret" not in str(client.get(f"{base}/").url)
    page = client.get(f"{base}/context").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = {"csrf": csrf, "kind": "deny", "address": STRANGER}
    assert client.post(f"{base}/context/add", data=form, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post(f"{base}/context/add", data=form).status_code == 403  # no Origin at all
    for stale in ({**form, "csrf": "stale"}, {**form, "csrf": "令牌"}):
        assert client.post(f"{base}/context/add", data=stale, headers={"Origin": base}).status_code == 403
    added = client.post(f"{base}/context/add", data=form, headers={"Origin": base})
    assert added.status_code == 200 and STRANGER.lower() in added.text
    assert "frame-ancestors 'none'" in added.headers["content-security-policy"]
    listed = subprocess.run([*CLI, "local", "context", "list", "--json", "--state", str(state)], capture_output=True)
    assert STRANGER.lower().encode() in listed.stdout


def test_the_console_binds_to_loopback_only(tmp_path):
    result = subprocess.run(
        [*CLI, "local", "serve", "--listen", "127.0.0.1:0", "--console", "0.0.0.0:0", "--state", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "CONSOLE_NOT_LOOPBACK" in result.stderr


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("DMIND_REQUIRE_BROWSER"),
    reason="no Chromium here (apt-get install chromium); .ci/run installs it and sets DMIND_REQUIRE_BROWSER",
)
def test_in_a_real_browser_pair_escalate_approve_refuse_a_bad_contact_unpair(daemon, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    state, info = daemon
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pairing = connect(offer_uri(state), tmp_path / "wallet", "phone")
    policy = _policy(60)
    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        page = browser.new_page()
        page.goto(info["console_url"])
        assert "secret" not in page.url  # signed in, and the secret left the address bar
        page.click("text=Devices")
        expect(page.locator("table")).to_contain_text("phone")

        waiting, pool = _escalate_in_background(pairing, policy)
        page.click("text=Verifications")
        card = page.locator(".card")

        def shown() -> int:
            page.reload()
            return card.count()

        _wait_for(shown)
        expect(card).to_contain_text("SPENDER_NEVER_USED")
        page.screenshot(path=str(ARTIFACTS / "1-waiting.png"), full_page=True)
        card.locator("button[name=approve]").click()
        final = waiting.result(timeout=30)
        pool.shutdown()
        # escalate() checked the verdict's signature and that it names this digest and signer before allowing
        assert final.verdict == "ALLOW" and final.verdict_token and "approved" in final.explanation
        expect(page.locator("table").first).to_contain_text("you approved it")
        page.screenshot(path=str(ARTIFACTS / "2-approved.png"), full_page=True)

        page.click("text=Context")
        page.fill("input[name=address]", "0x1234-not-an-address")
        page.fill("input[name=value]", "Mallory")
        page.click("button[name=add]")
        expect(page.locator(".error")).to_contain_text("CONTEXT_INVALID")
        page.screenshot(path=str(ARTIFACTS / "3-bad-contact.png"), full_page=True)

        page.click("text=Devices")
        page.click("button:has-text('Unpair')")
        expect(page.locator(".ok")).to_contain_text("Unpaired")
        page.screenshot(path=str(ARTIFACTS / "4-unpaired.png"), full_page=True)
        browser.close()

    refused = escalate(evaluate_json(APPROVAL, policy=policy), APPROVAL, pairing, policy)
    assert refused.verdict == "STEP_UP" and "LOCAL_REFUSED" in {f.code for f in refused.findings}
    assert all((ARTIFACTS / name).stat().st_size > 0 for name in ("1-waiting.png", "4-unpaired.png"))
