"""Decisions as the CLI's JSON: integers as decimal strings, addresses checksummed, bytes as 0x-hex.

Machine fields stay exact; only the sentences (`message`, `explanation`) follow the reader's language.
"""

from __future__ import annotations

from typing import Any

from .types import Call, Command, Decision, Lang


def jsonable(value: Any) -> Any:
    """A decoded value in the JSON contract's form."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return str(value)


def _command(command: Command) -> dict:
    out = {"name": command.name, "args": jsonable(command.args), "allow_revert": command.allow_revert}
    if command.commands:
        out["commands"] = [_command(c) for c in command.commands]
    if command.calls:
        out["calls"] = [_call(c) for c in command.calls]
    return out


def _call(call: Call) -> dict:
    out = {
        "to": call.to,
        "value": str(call.value),
        "selector": "0x" + call.selector.hex() if call.selector else None,
        "function": call.function,
        "action": call.action,
        "args": jsonable(call.args),
        "calls": [_call(c) for c in call.calls],
    }
    if call.commands:
        out["commands"] = [_command(c) for c in call.commands]
    if call.label:
        out["label"] = call.label
    if call.source:
        out["source"] = call.source
    return out


def _intent_json(decision: Decision) -> dict | None:
    intent = decision.intent
    if intent is None:
        return None
    typed = decision.payload.typed_data if decision.payload else None
    out: dict[str, Any] = {
        "action": intent.action,
        "calls": [_call(c) for c in intent.calls],
        "typed_data": None
        if typed is None
        else {
            "primaryType": typed.primary_type,
            "domain": jsonable(typed.domain),
            "message": jsonable(typed.message),
            "schema": intent.typed.schema if intent.typed else None,
        },
    }
    tx = decision.payload.tx if decision.payload else None
    if tx is not None:
        out["transaction"] = {
            "type": tx.type,
            "chainId": None if tx.chain_id is None else str(tx.chain_id),
            "nonce": None if tx.nonce is None else str(tx.nonce),
            "to": tx.to,
            "value": str(tx.value),
            "sender": tx.sender,
            "hash": "0x" + tx.tx_hash.hex() if tx.tx_hash else None,
            "authorizations": [
                {"chainId": str(a.chain_id), "address": a.address, "nonce": str(a.nonce), "authority": a.authority}
                for a in tx.authorizations
            ],
        }
    return out


def decision_json(decision: Decision, lang: Lang = Lang.EN) -> dict:
    """The Decision object of the CLI contract (README, "CLI"), its sentences in `lang`."""
    return {
        "id": decision.request_id,
        "decision": decision.verdict,
        "risk": decision.risk,
        "confidence": decision.confidence,
        "digest": "0x" + decision.digest.hex() if decision.digest else None,
        "digest_kind": decision.payload.digest_kind if decision.payload else None,
        "intent": _intent_json(decision),
        "findings": [
            {"code": f.code, "severity": f.severity, "message": f.text(lang), **({"where": f.where} if f.where else {})}
            for f in decision.findings
        ],
        "error": None if decision.error is None else {"code": decision.error[0], "message": decision.error[1]},
        "explanation": decision.explain(lang),
        "policy": {"id": decision.policy_id, "revision": decision.policy_revision},
        "plan": decision.plan,
        "local_verdict": "0x" + decision.verdict_token.hex() if decision.verdict_token else None,
        "route": decision.route,
        "timings_us": decision.timings_us,
    }
