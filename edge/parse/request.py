"""From a JSON request object to a `Request`, and from a `Request` to its `Payload`.

`METHODS` maps each EIP-1193 signing method and each WalletConnect Solana method to its
parser; a method not in the table is `METHOD_UNSUPPORTED` (STEP_UP: well formed, but nothing
this gate can vouch for). A chain is an EIP-155 chain id or a CAIP-2 id (`eip155:1`,
`solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp`); Solana methods take Solana accounts and networks.
"""

from __future__ import annotations

from typing import Any, Callable

from dmind.policies.chains import SOLANA_NETWORKS

from ..errors import EdgeError
from ..hexutil import parse_address, parse_bytes
from ..limits import MAX_KNOWN_ADDRESSES, MAX_LOOKUP_ADDRESSES, MAX_LOOKUP_TABLES, MAX_RAW_TX_BYTES
from ..solana.keys import parse_pubkey
from ..types import DigestKind, Payload, PayloadKind, Request
from .batch import parse_send_calls
from .message import parse_eth_sign, parse_personal_sign
from .rawtx import parse_raw_transaction
from .solana import SOLANA_METHODS
from .txobject import parse_transaction_object
from .typed_data import parse_typed_data


def _raw_or_object(request: Request) -> Payload:
    if not request.params:
        raise EdgeError("PARAMS_INVALID", f"{request.method} needs a transaction", "params")
    first = request.params[0]
    if isinstance(first, str):
        raw = parse_bytes(first, "params[0]", max_len=MAX_RAW_TX_BYTES)
        return parse_raw_transaction(raw, request.method, request.account)
    return parse_transaction_object(first, request.method, request.chain_id, request.account)


def _typed_data(request: Request, v3: bool) -> Payload:
    if len(request.params) < 2:
        raise EdgeError("PARAMS_INVALID", f"{request.method} needs [address, typedData]", "params")
    signer = parse_address(request.params[0], "params[0]")
    typed, signing_bytes, digest, notes = parse_typed_data(request.params[1], v3=v3)
    chain_id = typed.domain.get("chainId")
    return Payload(
        kind=PayloadKind.TYPED_DATA,
        method=request.method,
        chain_id=chain_id,
        signer=signer,
        signing_bytes=signing_bytes,
        digest=digest,
        digest_kind=DigestKind.EIP712,
        typed_data=typed,
        notes=tuple(notes),
    )


METHODS: dict[str, Callable[[Request], Payload]] = {
    "eth_sendRawTransaction": _raw_or_object,
    "eth_signTransaction": _raw_or_object,
    "eth_sendTransaction": lambda r: parse_transaction_object(
        r.params[0] if r.params else None, r.method, r.chain_id, r.account
    ),
    "eth_signTypedData_v4": lambda r: _typed_data(r, v3=False),
    "eth_signTypedData_v3": lambda r: _typed_data(r, v3=True),
    "personal_sign": lambda r: parse_personal_sign(r.params, r.account),
    "eth_sign": lambda r: parse_eth_sign(r.params),
    "wallet_sendCalls": lambda r: parse_send_calls(r.params, r.account),
    **SOLANA_METHODS,
}


def parse_payload(request: Request) -> Payload:
    """The Payload a request asks to sign, or an EdgeError saying why there is none."""
    parser = METHODS.get(request.method)
    if parser is None:
        raise EdgeError(
            "METHOD_UNSUPPORTED", f"method {request.method!r} is not a signing method this gate understands", "method"
        )
    return parser(request)


def request_from_json(
    obj: Any, chain_id: int | str | None = None, account: str | None = None, origin: str | None = None
) -> Request:
    """A Request from the CLI's request object; keyword arguments override its context."""
    if not isinstance(obj, dict):
        raise EdgeError("REQUEST_INVALID", "a request must be a JSON object", "request")
    inner = obj.get("request")
    if not isinstance(inner, dict) or not isinstance(inner.get("method"), str):
        raise EdgeError("REQUEST_INVALID", "`request` must be an object with a string `method`", "request")
    solana = inner["method"] in SOLANA_METHODS
    params = inner.get("params", [])
    if solana and isinstance(params, dict):
        params = [params]  # WalletConnect's Solana methods take one object
    if not isinstance(params, list):
        raise EdgeError("REQUEST_INVALID", "`request.params` must be a list", "request.params")
    ctx_chain, network = _chain(obj.get("chainId") if chain_id is None else chain_id, solana)
    ctx_account = obj.get("from") if account is None else account
    ctx_origin = obj.get("origin") if origin is None else origin
    if ctx_origin is not None and not isinstance(ctx_origin, str):
        raise EdgeError("REQUEST_INVALID", "`origin` must be a string or null", "origin")
    if ctx_account is not None:
        ctx_account = parse_pubkey(ctx_account, "from") if solana else parse_address(ctx_account, "from")
    return Request(
        method=inner["method"],
        params=tuple(params),
        chain_id=ctx_chain,
        account=ctx_account,
        origin=ctx_origin,
        stated_intent=obj.get("stated_intent"),
        id=obj.get("id"),
        known_addresses=known_addresses(obj.get("known_addresses"), solana),
        network=network,
        lookup_tables=lookup_tables(obj.get("address_lookup_tables"), solana),
    )


def _chain(value: Any, solana: bool) -> tuple[int | None, str | None]:
    """(EVM chain id, CAIP-2 network) from `chainId`: an integer, `eip155:<n>` or a Solana cluster's CAIP-2 id."""
    if value is None:
        return None, None
    if isinstance(value, str) and value.startswith("eip155:") and value[7:].isdigit() and value[7:8] != "0":
        value = int(value[7:])
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        if solana:
            raise EdgeError(
                "REQUEST_INVALID", f"a Solana method on EVM chain {value}: send the Solana cluster", "chainId"
            )
        return value, None
    if isinstance(value, str) and value in SOLANA_NETWORKS:
        if not solana:
            raise EdgeError("REQUEST_INVALID", f"an EVM method on {value}: send the EVM chain id", "chainId")
        return None, value
    raise EdgeError(
        "REQUEST_INVALID",
        "`chainId` must be a non-negative integer, `eip155:<n>` or a Solana cluster's CAIP-2 id "
        "(solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp for mainnet), or null",
        "chainId",
    )


def lookup_tables(raw: Any, solana: bool) -> dict[str, tuple[str, ...]] | None:
    """What the Solana address-lookup tables the wallet read hold: {table: [address, …]}, bounded, each key valid."""
    if raw is None:
        return None
    where = "address_lookup_tables"
    if not solana:
        raise EdgeError("REQUEST_INVALID", f"`{where}` describes Solana transactions only", where)
    if not isinstance(raw, dict) or len(raw) > MAX_LOOKUP_TABLES:
        raise EdgeError(
            "REQUEST_INVALID", f"`{where}` must map at most {MAX_LOOKUP_TABLES} tables to their addresses", where
        )
    tables = {}
    for table, entries in raw.items():
        name = parse_pubkey(table, where)
        if not isinstance(entries, list) or len(entries) > MAX_LOOKUP_ADDRESSES:
            raise EdgeError(
                "REQUEST_INVALID", f"a lookup table holds a list of at most {MAX_LOOKUP_ADDRESSES} addresses", where
            )
        tables[name] = tuple(parse_pubkey(a, f"{where}[{table[:12]}][{i}]") for i, a in enumerate(entries))
    return tables


def known_addresses(raw: Any, solana: bool = False) -> tuple[str, ...] | None:
    """The wallet's known addresses (address book and recent counterparties): at most MAX_KNOWN_ADDRESSES, each valid."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise EdgeError("REQUEST_INVALID", "`known_addresses` must be a list of addresses", "known_addresses")
    if len(raw) > MAX_KNOWN_ADDRESSES:
        raise EdgeError(
            "REQUEST_TOO_LARGE",
            f"`known_addresses` may list at most {MAX_KNOWN_ADDRESSES} addresses; send the "
            "address book and the most recent counterparties first",
            "known_addresses",
        )
    parse = parse_pubkey if solana else parse_address
    return tuple(sorted({parse(a, f"known_addresses[{i}]") for i, a in enumerate(raw)}))
