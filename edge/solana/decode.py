"""A Solana message's instructions, each read through its program's table into a `Call`.

A `Call` here is `to` = the program, `value` = the lamports the instruction moves, `function`
= the instruction's name, `args` = its data fields, `roles` = its accounts by role (base58
keys) plus the amounts rules care about. An account an address-lookup table holds cannot be
known offline: its role is absent and `SOLANA_ACCOUNT_UNRESOLVED` says so, so the reading
is never assumed. Data a table cannot read fully (unknown tag, short, trailing bytes) leaves
the instruction undecoded, at the confidence of an unknown call.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, finding
from ..types import Action, Call
from .base58 import b58encode
from .programs import AUTHORITY_TYPES, PROGRAMS, Program, Spec
from .wire import CompiledInstruction, Message

CONFIDENCE_KNOWN = 1.0
CONFIDENCE_UNKNOWN = 0.3
CONFIDENCE_MALFORMED = 0.0
MAX_SEED_BYTES = 32
_FIXED = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}


class _Short(ValueError):
    pass


def _field(kind: str, data: bytes, pos: int) -> tuple[Any, int]:
    """One field of `kind` at `pos`: its value and the next position."""
    if kind in _FIXED:
        end = pos + _FIXED[kind]
        if end > len(data):
            raise _Short(kind)
        return int.from_bytes(data[pos:end], "little"), end
    if kind == "pubkey":
        if pos + 32 > len(data):
            raise _Short(kind)
        return b58encode(data[pos : pos + 32]), pos + 32
    if kind == "coption_pubkey":  # SPL Token packs an optional key as a flag byte, then the key if the flag is 1
        flag, pos = _field("u8", data, pos)
        if flag not in (0, 1):
            raise _Short("option flag")
        return _field("pubkey", data, pos) if flag else (None, pos)
    if kind == "authority_type":
        code, pos = _field("u8", data, pos)
        if code >= len(AUTHORITY_TYPES):
            raise _Short("authority type")
        return AUTHORITY_TYPES[code], pos
    if kind == "seed":  # bincode's string: u64 length, then UTF-8
        n, pos = _field("u64", data, pos)
        if n > MAX_SEED_BYTES or pos + n > len(data):
            raise _Short(kind)
        return data[pos : pos + n].decode("utf-8"), pos + n
    if kind == "rest":
        return data[pos:], len(data)
    raise AssertionError(f"no field kind {kind!r}")


def _spec(program: Program, data: bytes) -> tuple[Spec, bytes] | None:
    """The instruction whose tag is the longest prefix of `data`, and the bytes after the tag."""
    for size in sorted({len(tag) for tag in program.instructions}, reverse=True):
        spec = program.instructions.get(data[:size]) if len(data) >= size else None
        if spec is not None:
            return spec, data[size:]
    return None


def _read(spec: Spec, body: bytes, text: bool) -> dict[str, Any] | None:
    """The fields of `spec`, or None where the bytes do not fit them exactly."""
    if text:
        try:
            return {"text": body.decode("utf-8")}
        except UnicodeDecodeError:
            return None
    args, pos = {}, 0
    try:
        for name, kind in spec.fields:
            args[name], pos = _field(kind, body, pos)
    except (_Short, UnicodeDecodeError):
        return None
    return args if pos == len(body) else None


def decode_instruction(message: Message, ix: CompiledInstruction, where: str, notes: list[Finding]) -> Call:
    """One instruction as a Call; an unknown program or unreadable data is a Call of low confidence."""
    program_id = message.account_keys[ix.program_index]  # the wire parser keeps program indexes static
    program = PROGRAMS.get(program_id)
    if program is None:
        notes.append(finding("SOLANA_PROGRAM_UNKNOWN", where, program=program_id))
        return Call(program_id, 0, ix.data, Action.CONTRACT_CALL, confidence=CONFIDENCE_UNKNOWN, where=where)
    found = _spec(program, ix.data)
    args = _read(found[0], found[1], program.text_data) if found else None
    if found is None or args is None:
        notes.append(finding("SOLANA_INSTRUCTION_UNREADABLE", where, program=program.name))
        return Call(
            program_id,
            0,
            ix.data,
            Action.CONTRACT_CALL,
            standard=program.standard,
            confidence=CONFIDENCE_MALFORMED,
            where=where,
        )
    spec = found[0]
    roles: dict[str, Any] = {}
    for role, index in zip(spec.accounts, ix.accounts):
        key = message.key(index)
        if key is None:
            table, entry = message.lookup_of(index) or ("?", index)
            notes.append(finding("SOLANA_ACCOUNT_UNRESOLVED", where, role=role, table=table, entry=entry))
        else:
            roles[role] = key
    if len(ix.accounts) < len(spec.accounts):
        notes.append(finding("SOLANA_INSTRUCTION_UNREADABLE", where, program=program.name))
        return Call(
            program_id,
            0,
            ix.data,
            spec.action,
            function=spec.name,
            args=args,
            roles=roles,
            standard=program.standard,
            confidence=CONFIDENCE_MALFORMED,
            where=where,
        )
    roles.update({k: v for k, v in args.items() if k in ("amount", "lamports", "authority_type", "new_authority")})
    value = args.get("lamports", 0) if spec.action == Action.NATIVE_TRANSFER else 0
    return Call(
        program_id,
        value,
        ix.data,
        spec.action,
        function=spec.name,
        args={**{role: key for role, key in roles.items() if role in spec.accounts}, **args},  # accounts shown too
        roles=roles,
        label=program.name,
        source="builtin",
        standard=program.standard,
        confidence=CONFIDENCE_KNOWN,
        where=where,
    )


def decode_message(message: Message, where: str = "") -> tuple[tuple[Call, ...], tuple[Finding, ...]]:
    """Every instruction of `message` as a Call (`where` prefixes their paths), and what reading them noticed."""
    notes: list[Finding] = []
    calls = tuple(
        decode_instruction(message, ix, f"{where}instructions[{i}]", notes) for i, ix in enumerate(message.instructions)
    )
    return calls, tuple(notes)
