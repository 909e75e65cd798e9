"""The Solana wire reader against solders: every field of legacy and v0 transactions it builds, and malformed
bytes refused with a code, never a crash."""

from __future__ import annotations

import pytest
from dmind.edge.errors import EdgeError
from dmind.edge.solana.keys import associated_token_address, find_program_address, on_curve, parse_pubkey
from dmind.edge.solana.wire import PACKET_DATA_SIZE, parse_message, parse_transaction
from dmind.policies.base58 import b58decode, b58encode
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.message import Message, MessageV0, to_bytes_versioned
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.token.associated import get_associated_token_address
from solders.transaction import Transaction, VersionedTransaction

from tests.solana_builders import BLOCKHASH, USER, legacy

keys = st.binary(min_size=32, max_size=32).map(Pubkey)
metas = st.builds(AccountMeta, keys, st.booleans(), st.booleans())
instructions = st.builds(Instruction, keys, st.binary(max_size=40), st.lists(metas, max_size=4))


def _check(parsed, message) -> None:
    """Every field solders wrote, as the gate read it."""
    header = message.header
    assert (parsed.header.required_signatures, parsed.header.readonly_signed, parsed.header.readonly_unsigned) == (
        header.num_required_signatures,
        header.num_readonly_signed_accounts,
        header.num_readonly_unsigned_accounts,
    )
    assert parsed.account_keys == tuple(str(k) for k in message.account_keys)
    assert parsed.recent_blockhash == str(message.recent_blockhash)
    assert [(i.program_index, bytes(i.accounts), i.data) for i in parsed.instructions] == [
        (i.program_id_index, bytes(i.accounts), bytes(i.data)) for i in message.instructions
    ]
    assert parsed.raw == (bytes(message) if isinstance(message, Message) else to_bytes_versioned(message))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(instructions, max_size=5), st.binary(min_size=32, max_size=32))
def test_legacy_transactions_read_as_solders_writes_them(ixs, blockhash):
    message = Message.new_with_blockhash(ixs, USER.pubkey(), Hash(blockhash))
    tx = Transaction.new_unsigned(message)
    raw = bytes(tx)
    assume(len(raw) <= PACKET_DATA_SIZE)
    parsed = parse_transaction(raw)
    assert parsed.message.version is None
    assert parsed.signatures == tuple(bytes(s) for s in tx.signatures)
    _check(parsed.message, message)
    writable = {USER.pubkey()} | {m.pubkey for ix in ixs for m in ix.accounts if m.is_writable}
    for i, key in enumerate(message.account_keys):
        assert parsed.message.is_signer(i) == message.is_signer(i)
        assert parsed.message.is_writable(i) == (key in writable)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(instructions, min_size=1, max_size=4), st.lists(st.lists(keys, min_size=1, max_size=6), max_size=3))
def test_v0_transactions_with_lookup_tables_read_as_solders_writes_them(ixs, tables):
    table_keys = {str(k) for table in tables for k in table}
    accounts = [AddressLookupTableAccount(Pubkey.new_unique(), table) for table in tables]
    # accounts the instructions use that a table holds are loaded through it (not as signers: signers stay static)
    ixs = [
        Instruction(
            ix.program_id, ix.data, [*ix.accounts, *(AccountMeta(k, False, w) for k, w in zip(t, [True, False]))]
        )
        for ix, t in zip(ixs, tables + [[]] * len(ixs))
    ]
    try:
        message = MessageV0.try_compile(USER.pubkey(), ixs, accounts, BLOCKHASH)
    except Exception:  # solders refuses some draws (a program id in a table): nothing to read
        assume(False)
    tx = VersionedTransaction.populate(message, [Signature.default()] * message.header.num_required_signatures)
    raw = bytes(tx)
    assume(len(raw) <= PACKET_DATA_SIZE)
    parsed = parse_transaction(raw)
    assert parsed.message.version == 0
    _check(parsed.message, message)
    assert [(x.table, x.writable, x.readonly) for x in parsed.message.lookups] == [
        (str(x.account_key), tuple(x.writable_indexes), tuple(x.readonly_indexes))
        for x in message.address_table_lookups
    ]
    for i in range(parsed.message.account_count):
        key = parsed.message.key(i)
        assert (key is None) == (i >= len(message.account_keys))
        if key is None:
            table, entry = parsed.message.lookup_of(i)
            assert str(next(a for a in accounts if str(a.key) == table).addresses[entry]) in table_keys


@settings(max_examples=300)
@given(st.binary(max_size=PACKET_DATA_SIZE + 8))
def test_any_bytes_parse_or_are_refused_with_a_code(data):
    for parse in (parse_transaction, parse_message):
        try:
            parse(data)
        except EdgeError as exc:
            assert exc.code in ("SOLANA_TX_INVALID", "SOLANA_TX_TOO_LARGE", "SOLANA_VERSION_UNSUPPORTED")


@settings(max_examples=300)
@given(st.data())
def test_mutated_transactions_parse_or_are_refused_with_a_code(data):
    from solders.system_program import TransferParams, transfer

    raw = bytearray(
        bytes(legacy(transfer(TransferParams(from_pubkey=USER.pubkey(), to_pubkey=Pubkey.default(), lamports=5))))
    )
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    try:
        parse_transaction(bytes(raw))
    except EdgeError as exc:
        assert exc.code in ("SOLANA_TX_INVALID", "SOLANA_VERSION_UNSUPPORTED")


def _one_transfer() -> bytes:
    from solders.system_program import TransferParams, transfer

    return bytes(legacy(transfer(TransferParams(from_pubkey=USER.pubkey(), to_pubkey=Pubkey.default(), lamports=5))))


@pytest.mark.parametrize(
    "mutate, code",
    [
        (lambda raw: b"\x81\x00" + raw[1:], "SOLANA_TX_INVALID"),  # signature count in two bytes: not the shortest
        (lambda raw: raw + b"\x00", "SOLANA_TX_INVALID"),  # a byte after the message
        (lambda raw: raw[:-1], "SOLANA_TX_INVALID"),  # cut inside the data
        (lambda raw: b"\x00" + raw[65:], "SOLANA_TX_INVALID"),  # no signature for the one signer
        (lambda raw: raw[:65] + b"\x81" + raw[65:], "SOLANA_VERSION_UNSUPPORTED"),  # version 1
        (lambda raw: raw + bytes(PACKET_DATA_SIZE), "SOLANA_TX_TOO_LARGE"),
    ],
)
def test_malformed_transactions_are_refused(mutate, code):
    with pytest.raises(EdgeError) as exc:
        parse_transaction(mutate(_one_transfer()))
    assert exc.value.code == code


def test_a_key_listed_twice_is_refused():
    raw = bytearray(_one_transfer())
    # legacy layout: 1 + 64 signature, 3 header, 1 key count, keys of 32 bytes: copy the payer over the next key
    start = 1 + 64 + 3 + 1
    raw[start + 32 : start + 64] = raw[start : start + 32]
    with pytest.raises(EdgeError, match="listed twice"):
        parse_transaction(bytes(raw))


@given(st.binary(max_size=64))
def test_base58_round_trips_and_matches_solders_keys(data):
    assert b58decode(b58encode(data) or "1", 64) == (data or b"\0")
    key = Pubkey((data + bytes(32))[:32])
    assert b58encode(bytes(key)) == str(key)
    assert parse_pubkey(str(key), "from") == str(key)


@pytest.mark.parametrize("bad", ["", "0OIl", "1" * 33, "x" * 100, 12, None])
def test_bad_keys_are_refused(bad):
    with pytest.raises(EdgeError) as exc:
        parse_pubkey(bad, "from")
    assert exc.value.code == "ADDRESS_INVALID"


@settings(max_examples=300)
@given(st.binary(min_size=32, max_size=32))
def test_on_curve_agrees_with_solders(key):
    assert on_curve(key) == Pubkey(key).is_on_curve()


@settings(max_examples=25)
@given(keys, keys)
def test_program_and_associated_token_addresses_agree_with_solders(owner, mint):
    assert associated_token_address(str(owner), str(mint)) == str(get_associated_token_address(owner, mint))
    program = Pubkey.new_unique()
    expected = Pubkey.find_program_address([bytes(owner), b"seed"], program)
    assert find_program_address((bytes(owner), b"seed"), str(program)) == (str(expected[0]), expected[1])
