"""One request through the edge: parse -> decode -> assess -> gate, timed per stage.

`evaluate` never raises for bad input: an `EdgeError` becomes a BLOCK or STEP_UP Decision
carrying the error and a finding that says why; any other exception is a bug of ours and
still fails closed as INTERNAL_ERROR (BLOCK).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from dmind.policies import Policy, default_policy
from dmind.policies.messages import message as said

from .decode.erc7730 import DescriptorIndex
from .decode.intent import decode_intent
from .errors import ERROR_VERDICTS, EdgeError
from .findings import Finding, error_finding
from .gate import gate
from .parse.request import parse_payload, request_from_json
from .rules import assess
from .rules.context import RuleContext
from .stated_intent import Reader, read_stated_intent
from .types import Decision, DigestKind, Payload, Plan, Request, Verdict

log = logging.getLogger(__name__)


def failed_decision(
    code: str,
    message: str,
    where: str | None,
    policy: Policy,
    request_id: Any,
    timings: dict[str, int],
    payload: Payload | None = None,
) -> Decision:
    """The fail-closed Decision for a refused input: BLOCK or STEP_UP by its code, with the reason as a finding.

    Where the bytes to sign were already determined (`payload`), the decision still names their digest.
    """
    verdict = ERROR_VERDICTS[code]
    refusal = error_finding(code, message, verdict, where)
    reason = said("explain.rejected" if verdict == Verdict.BLOCK else "explain.not_understood", reason=refusal.said)
    return Decision(
        digest=payload.digest if payload is not None else None,
        payload=payload,
        verdict=verdict,
        risk=1.0 if verdict == Verdict.BLOCK else 0.5,
        confidence=0.0,
        findings=(refusal,),
        explanation=reason.text(),
        reason=reason,
        error=(code, message),
        policy_id=policy.policy_id,
        policy_revision=policy.revision,
        plan=Plan.EDGE_ONLY if verdict == Verdict.BLOCK else Plan.EDGE_LOCAL,
        timings_us=timings,
        request_id=request_id,
    )


def _check_scope(request: Request, payload: Payload, policy: Policy, scope: tuple[str, ...] | None) -> None:
    """A signed bundle governs the chains in its scope (CAIP-2 ids) only. A Solana request that names no cluster
    is out of any scope without a Solana chain in it: its bytes do not say which cluster they are for."""
    if scope is None:
        return
    chain = request.caip2 or payload.caip2
    solana = payload.digest_kind == DigestKind.SOLANA_MESSAGE
    if chain is None and solana and not any(c.startswith("solana:") for c in scope):
        chain = "Solana"
    if chain is not None and chain not in scope:
        raise EdgeError(
            "POLICY_OUT_OF_SCOPE",
            f"policy {policy.policy_id} r{policy.revision} is signed for {', '.join(scope)}, not {chain}: "
            "load a bundle for it",
            "chainId",
        )


def _us(start: int) -> int:
    return (time.perf_counter_ns() - start) // 1000


def evaluate(
    request: Request,
    policy: Policy | None = None,
    descriptors: DescriptorIndex | None = None,
    now: int | None = None,
    policy_notes: tuple[Finding, ...] = (),
    intent_reader: Reader | None = None,
    scope: tuple[str, ...] | None = None,
) -> Decision:
    """Decide one request; the Decision is bound to the digest of the bytes that would be signed.

    `policy_notes` are findings about the policy itself (e.g. POLICY_UNSIGNED), added to every decision.
    `intent_reader` turns the user's words into a call (the nano model); without it, words are noted unread.
    `scope` is the signed bundle's chains: a request on another chain is not governed by it (POLICY_OUT_OF_SCOPE).
    """
    policy = policy or default_policy()
    now = int(time.time()) if now is None else now
    timings: dict[str, int] = {}
    total = time.perf_counter_ns()
    payload: Payload | None = None
    try:
        start = time.perf_counter_ns()
        payload = parse_payload(request)
        timings["parse"] = _us(start)
        _check_scope(request, payload, policy, scope)
        start = time.perf_counter_ns()
        intent = decode_intent(payload, descriptors)
        timings["decode"] = _us(start)
        start = time.perf_counter_ns()
        stated, stated_notes = read_stated_intent(request.stated_intent, intent_reader)
        timings["stated_intent"] = _us(start)
        start = time.perf_counter_ns()
        findings = policy_notes + stated_notes + assess(RuleContext(request, payload, intent, policy, now, stated))
        timings["assess"] = _us(start)
        start = time.perf_counter_ns()
        verdict, risk, findings, reason = gate(findings, intent.confidence, policy)
        timings["gate"] = _us(start)
    except EdgeError as exc:
        timings["total"] = _us(total)
        return failed_decision(exc.code, exc.message, exc.where, policy, request.id, timings, payload)
    except RecursionError:
        timings["total"] = _us(total)
        return failed_decision(
            "REQUEST_INVALID", "the request nests too deeply to inspect", None, policy, request.id, timings, payload
        )
    except Exception:  # a bug of ours must not turn into ALLOW or a crash at the boundary
        log.exception("internal error while evaluating request %r", request.id)
        timings["total"] = _us(total)
        return failed_decision(
            "INTERNAL_ERROR",
            "the gate hit an internal error on this request",
            None,
            policy,
            request.id,
            timings,
            payload,
        )
    timings["total"] = _us(total)
    return Decision(
        verdict=verdict,
        risk=risk,
        confidence=intent.confidence,
        findings=findings,
        explanation=reason.text(),
        reason=reason,
        digest=payload.digest,
        payload=payload,
        intent=intent,
        policy_id=policy.policy_id,
        policy_revision=policy.revision,
        plan=Plan.EDGE_LOCAL if verdict == Verdict.STEP_UP else Plan.EDGE_ONLY,
        timings_us=timings,
        request_id=request.id,
    )


def evaluate_json(
    obj: Any,
    policy: Policy | None = None,
    descriptors: DescriptorIndex | None = None,
    now: int | None = None,
    policy_notes: tuple[Finding, ...] = (),
    intent_reader: Reader | None = None,
    scope: tuple[str, ...] | None = None,
    **context: Any,
) -> Decision:
    """Decide one CLI request object; context keywords (chain_id, account, origin) override it."""
    policy = policy or default_policy()
    request_id = obj.get("id") if isinstance(obj, dict) else None
    try:
        request = request_from_json(obj, **context)
    except EdgeError as exc:
        return failed_decision(exc.code, exc.message, exc.where, policy, request_id, {})
    except Exception:
        log.exception("internal error while reading request %r", request_id)
        return failed_decision(
            "INTERNAL_ERROR", "the gate hit an internal error reading this request", None, policy, request_id, {}
        )
    return evaluate(request, policy, descriptors, now, policy_notes, intent_reader, scope)
