"""Payload -> Intent: what the signature would do, with the confidence γ of that reading."""

from __future__ import annotations

from ..findings import finding
from ..solana.decode import decode_message
from ..types import Action, Call, Intent, Payload, PayloadKind
from .calldata import DecodeContext, decode_call
from .erc7730 import DescriptorIndex
from .typed_schemas import typed_intent

CONFIDENCE_TEXT_MESSAGE = 1.0
CONFIDENCE_BINARY_MESSAGE = 0.5
CONFIDENCE_GENERIC_TYPED_DATA = 0.6
CONFIDENCE_RAW_HASH = 0.0


def _tree_confidence(calls: tuple[Call, ...]) -> float:
    lowest = 1.0
    stack = list(calls)
    while stack:
        call = stack.pop()
        lowest = min(lowest, call.confidence)
        stack.extend(call.calls)
        for command in call.commands:
            stack.extend(command.calls)
    return lowest


def _main_action(calls: tuple[Call, ...]) -> Action:
    """What a transaction does: its first instruction that does more than set up (compute budget, memo, accounts)."""
    doing = [c.action for c in calls if c.action not in (Action.SETTINGS, Action.CREATE_ACCOUNT)]
    return doing[0] if doing else calls[0].action


def _is_text(message: bytes) -> bool:
    try:
        text = message.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\n\r\t" for ch in text)


def decode_intent(payload: Payload, descriptors: DescriptorIndex | None = None) -> Intent:
    """Decode every call, typed-data schema or message of `payload` into an Intent."""
    if payload.solana:
        many = len(payload.solana) > 1
        read = [decode_message(m, f"transactions[{i}]." if many else "") for i, m in enumerate(payload.solana)]
        calls = tuple(call for found, _ in read for call in found)
        notes = tuple(note for _, found in read for note in found)
        action = Action.BATCH if many else (_main_action(calls) if calls else Action.SETTINGS)
        return Intent(action, calls, None, _tree_confidence(calls), notes)
    if payload.kind in (PayloadKind.TRANSACTION, PayloadKind.BATCH):
        ctx = DecodeContext(payload.chain_id, descriptors)
        calls = tuple(decode_call(c.to, c.value, c.data, ctx, 0, f"calls[{i}]") for i, c in enumerate(payload.calls))
        if payload.tx is not None and payload.tx.authorizations:
            action = Action.DELEGATE_7702
        elif payload.kind == PayloadKind.BATCH:
            action = Action.BATCH
        else:
            action = calls[0].action
        return Intent(action, calls, None, _tree_confidence(calls), tuple(ctx.notes))
    if payload.kind == PayloadKind.TYPED_DATA and payload.typed_data is not None:  # the parser sets both together
        typed = typed_intent(payload.typed_data)
        if typed.schema is None:
            note = finding("TYPED_DATA_UNKNOWN_SCHEMA", "typedData", primary_type=payload.typed_data.primary_type)
            return Intent(typed.action, (), typed, CONFIDENCE_GENERIC_TYPED_DATA, (note,))
        return Intent(typed.action, (), typed, 1.0)
    if payload.kind == PayloadKind.MESSAGE:
        if _is_text(payload.message or b""):
            return Intent(Action.SIGN_MESSAGE, (), None, CONFIDENCE_TEXT_MESSAGE)
        note = finding("MESSAGE_NOT_TEXT", "message", size=len(payload.message or b""))
        return Intent(Action.SIGN_MESSAGE, (), None, CONFIDENCE_BINARY_MESSAGE, (note,))
    return Intent(Action.BLIND_SIGNATURE, (), None, CONFIDENCE_RAW_HASH)
