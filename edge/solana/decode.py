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

from dmind.policies.base58 import b58encode

from ..findings import Finding, finding
from ..types import Action, Call
from . import borsh
from .borsh import BorshError, Types
from .programs import AUTHORITY_TYPES, STAKE_AUTHORITIES, Program, Spec
from .registry import PROGRAMS
from .wire import CompiledInstruction, Message

CONFIDENCE_KNOWN = 1.0
CONFIDENCE_UNKNOWN = 0.3
CONFIDENCE_MALFORMED = 0.0
MAX_SEED_BYTES = 32


NO_TYPES = Types()


def _field(kind: str, data: bytes, pos: int, types: Types = NO_TYPES) -> tuple[Any, int]:
    """One field of `kind` at `pos`: its value and the next position. Kinds not special to SPL Token, bincode or
    the stake program are Borsh types (`borsh.read`), with the program's own type table."""
    if kind == "coption_pubkey":  # SPL Token packs an optional key as a flag byte, then the key if the flag is 1
        flag, pos = _field("u8", data, pos)
        if flag not in (0, 1):
            raise BorshError("option flag")
        return _field("pubkey", data, pos) if flag else (None, pos)
    if kind in ("authority_type", "stake_authority"):  # SPL Token's u8 enum, the stake program's u32 one
        names = AUTHORITY_TYPES if kind == "authority_type" else STAKE_AUTHORITIES
        code, pos = _field("u8" if kind == "authority_type" else "u32", data, pos)
        if code >= len(names):
            raise BorshError("authority type")
        return names[code], pos
    if kind == "seed":  # bincode's string: u64 length, then UTF-8
        n, pos = _field("u64", data, pos)
        if n > MAX_SEED_BYTES or pos + n > len(data):
            raise BorshError(kind)
        return data[pos : pos + n].decode("utf-8"), pos + n
    if kind == "pubkeys":  # bincode's Vec<Pubkey>: u64 count, then the keys
        n, pos = _field("u64", data, pos)
        if pos + 32 * n > len(data):
            raise BorshError(kind)
        return [b58encode(data[pos + 32 * i : pos + 32 * (i + 1)]) for i in range(n)], pos + 32 * n
    if kind == "rest":
        return data[pos:], len(data)
    return borsh.read(kind, data, pos, types)


def _spec(program: Program, data: bytes) -> tuple[Spec, bytes] | None:
    """The instruction whose tag is the longest prefix of `data`, and the bytes after the tag."""
    for size in sorted({len(tag) for tag in program.instructions}, reverse=True):
        spec = program.instructions.get(data[:size]) if len(data) >= size else None
        if spec is not None:
            return spec, data[size:]
    return None


def _read(spec: Spec, body: bytes, text: bool, types: Types) -> dict[str, Any] | None:
    """The fields of `spec`, or None where the bytes do not fit them exactly."""
    if text:
        try:
            return {"text": body.decode("utf-8")}
        except UnicodeDecodeError:
            return None
    args, pos = {}, 0
    try:
        for name, kind in spec.fields:
            args[name], pos = _field(kind, body, pos, types)
    except (BorshError, UnicodeDecodeError):
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
    args = _read(found[0], found[1], program.text_data, program.types or NO_TYPES) if found else None
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
    names = next((a for a in (spec.accounts, *spec.alternatives) if len(a) == len(ix.accounts)), spec.accounts)
    if spec.alternatives and len(names) != len(ix.accounts):  # the program picks its layout by the count: so must we
        notes.append(finding("SOLANA_INSTRUCTION_UNREADABLE", where, program=program.name))
        return Call(program_id, 0, ix.data, spec.action, function=spec.name, args=args, standard=program.standard,
                    confidence=CONFIDENCE_MALFORMED, where=where)  # fmt: skip
    roles: dict[str, Any] = {}
    for role, index in zip(names, ix.accounts):
        key = message.key(index)
        if key is None:
            if program.watched is None or role in program.watched:
                table, entry = message.lookup_of(index) or ("?", index)
                notes.append(finding("SOLANA_ACCOUNT_UNRESOLVED", where, role=role, table=table, entry=entry))
        elif not (role in spec.optional and key == program_id):  # Anchor writes the program's id for "none"
            roles[role] = key
    accounts = {role: key for role, key in roles.items()}
    if len(ix.accounts) < len(names):
        notes.append(finding("SOLANA_INSTRUCTION_UNREADABLE", where, program=program.name))
        return Call(
            program_id, 0, ix.data, spec.action, function=spec.name, args=args, roles=roles,
            standard=program.standard, confidence=CONFIDENCE_MALFORMED, where=where,
        )  # fmt: skip
    roles.update({k: v for k, v in args.items() if k in ROLE_ARGS})
    if spec.action == Action.SWAP:
        roles.update(_swap_roles(spec, args, roles))
    value = args.get("lamports", 0) if spec.action in (Action.NATIVE_TRANSFER, Action.CREATE_ACCOUNT) else 0
    return Call(
        program_id,
        value,
        ix.data,
        spec.action,
        function=spec.name,
        args={**accounts, **args},  # the accounts by role, then the data: what a person reads
        roles=roles,
        label=program.name,
        source="builtin",
        standard=program.standard,
        confidence=CONFIDENCE_KNOWN,
        where=where,
    )


# Data fields rules read, kept beside the accounts in `roles`.
ROLE_ARGS = ("amount", "lamports", "authority_type", "new_authority", "amount_in", "min_out", "amount_out", "max_in")
BPS = 10_000


def _swap_roles(spec: Spec, args: dict[str, Any], roles: dict[str, Any]) -> dict[str, Any]:
    """A swap's sides and amounts by meaning, where the program states them with flags or as a quote and slippage."""
    named: dict[str, Any] = {}
    for flag, a, b, given, taken in spec.sides:
        first, second = (a, b) if args[flag] else (b, a)
        named.update({k: roles[r] for k, r in ((given, first), (taken, second)) if k is not None and r in roles})
    if spec.exact_in is not None:
        exact_in = args[spec.exact_in]
        named["amount_in" if exact_in else "amount_out"] = args["amount"]
        named["min_out" if exact_in else "max_in"] = args["other_amount_threshold"]
    slippage = args.get("slippage_bps")
    if isinstance(slippage, int) and slippage <= BPS:  # Jupiter: a quote and a slippage, the bound they make
        if isinstance(args.get("quoted_out"), int):
            named["min_out"] = args["quoted_out"] * (BPS - slippage) // BPS
        if isinstance(args.get("quoted_in"), int):
            named["max_in"] = -(-args["quoted_in"] * (BPS + slippage) // BPS)
    if "destination" not in roles and "user_destination" in roles:
        named["destination"] = roles["user_destination"]  # no separate destination: the user's own account
    return named


def decode_message(message: Message, where: str = "") -> tuple[tuple[Call, ...], tuple[Finding, ...]]:
    """Every instruction of `message` as a Call (`where` prefixes their paths), and what reading them noticed."""
    notes: list[Finding] = []
    calls = tuple(
        decode_instruction(message, ix, f"{where}instructions[{i}]", notes) for i, ix in enumerate(message.instructions)
    )
    return calls, tuple(notes)
