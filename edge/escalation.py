"""The edge's side of STEP_UP: escalating one decision to the paired local verifier.

`escalate` sends a STEP_UP request (the `local_protocol` format) within the policy's latency
budget and turns the answer into the final decision: ALLOW only with a verdict that verifies
against the pinned verifier key for exactly this digest, account and request; anything
unreachable, slow or invalid leaves STEP_UP with a finding that says why. Imported only when
escalating (httpx, cryptography), never by `import dmind.edge`.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from typing import Any

import cbor2
from dmind.policies import Policy
from dmind.policies.messages import Phrase, message

from .findings import finding
from .local_protocol import REQUEST_TTL_S, VERIFY_PATH, build_request
from .pairing import Pairing, pinned_context
from .summary import comparable_reading
from .types import Decision, Plan, Verdict
from .verdict import VerdictError, verify_verdict


def escalate(decision: Decision, request: dict, pairing: Pairing, policy: Policy, now: int | None = None) -> Decision:
    """The final decision for a STEP_UP: the local verifier's, bound to the digest, or STEP_UP with a reason."""
    if decision.verdict != Verdict.STEP_UP or decision.payload is None or decision.payload.signer is None:
        return decision
    import httpx

    now = int(time.time()) if now is None else now
    budget_s = policy.routing.latency_budget_ms.get(Plan.EDGE_LOCAL.budget_key, policy.step_up.local_timeout_ms) / 1000
    ask_user_s = policy.step_up.user_decides_s  # the verifier may hold the request this long for the user's answer
    request_id = uuid.uuid4().bytes
    signer = decision.payload.signer
    body = build_request(
        pairing.key,
        time.time_ns(),
        request_id,
        now + REQUEST_TTL_S + ask_user_s,
        decision.payload.digest,
        signer,
        request,
        comparable_reading(decision, policy, now),
        ask_user_s,
    )
    started = time.perf_counter_ns()

    def stay(code: str, **args: Any) -> Decision:
        return replace(
            decision,
            findings=decision.findings + (finding(code, **args),),
            plan=Plan.EDGE_LOCAL,
            timings_us={**decision.timings_us, "local": (time.perf_counter_ns() - started) // 1000},
        )

    try:
        with httpx.Client(verify=pinned_context(pairing.cert_pem), timeout=budget_s + ask_user_s) as client:
            response = client.post(f"{pairing.url}{VERIFY_PATH}", content=body)
        answer: Any = cbor2.loads(response.content)
    except (httpx.HTTPError, OSError, ValueError, cbor2.CBORDecodeError) as exc:
        return stay("LOCAL_UNREACHABLE", error=type(exc).__name__)
    if response.status_code != 200 or not isinstance(answer, dict):
        return stay(
            "LOCAL_REFUSED",
            reason=str(answer.get("code", response.status_code))
            if isinstance(answer, dict)
            else str(response.status_code),
        )
    try:
        verdict = verify_verdict(
            answer.get("verdict", b""),
            decision.payload.digest,
            signer,
            request_id,
            pairing.verifiers(),
            int(time.time()),
        )
    except VerdictError as exc:
        return stay("LOCAL_VERDICT_INVALID", reason=exc.code)
    allowed = verdict.verdict == Verdict.ALLOW
    # The verifier writes its reason in both languages; what it sends is shown, bounded, never interpreted.
    english = str(answer.get("explanation", ""))[:300]
    why = Phrase(english, str(answer.get("explanation_zh", english))[:300])
    final = stay("LOCAL_VERIFIED" if allowed else "LOCAL_BLOCKED", reason=why)
    reason = message("explain.local_allowed" if allowed else "explain.local_blocked", reason=why)
    return replace(
        final, verdict=verdict.verdict, verdict_token=answer["verdict"], explanation=reason.text(), reason=reason
    )
