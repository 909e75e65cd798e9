"""From a JSON request object to a `Request`, and from a `Request` to its `Payload`.

`METHODS` maps each EIP-1193 signing method to its parser; a method not in the table is
`METHOD_UNSUPPORTED` (STEP_UP: well formed, but nothing this gate can vouch for).
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import EdgeError
from ..hexutil import parse_address, parse_bytes
from ..limits import MAX_KNOWN_ADDRESSES, MAX_RAW_TX_BYTES
from ..types import DigestKind, Payload, PayloadKind, Request
from .batch import parse_send_calls
from .message import parse_eth_sign, parse_personal_sign
from .rawtx import parse_raw_transaction
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
    obj: Any, chain_id: int | None = None, account: str | None = None, origin: str | None = None
) -> Request:
    """A Request from the CLI's request object; keyword arguments override its context."""
    if not isinstance(obj, dict):
        raise EdgeError("REQUEST_INVALID", "a request must be a JSON object", "request")
    inner = obj.get("request")
    if not isinstance(inner, dict) or not isinstance(inner.get("method"), str):
        raise EdgeError("REQUEST_INVALID", "`request` must be an object with a string `method`", "request")
    params = inner.get("params", [])
    if not isinstance(params, list):
        raise EdgeError("REQUEST_INVALID", "`request.params` must be a list", "request.params")
    ctx_chain = obj.get("chainId") if chain_id is None else chain_id
    if ctx_chain is not None and (isinstance(ctx_chain, bool) or not isinstance(ctx_chain, int) or ctx_chain < 0):
        raise EdgeError("REQUEST_INVALID", "`chainId` must be a non-negative integer or null", "chainId")
    ctx_account = obj.get("from") if account is None else account
    ctx_origin = obj.get("origin") if origin is None else origin
    if ctx_origin is not None and not isinstance(ctx_origin, str):
        raise EdgeError("REQUEST_INVALID", "`origin` must be a string or null", "origin")
    return Request(
        method=inner["method"],
        params=tuple(params),
        chain_id=ctx_chain,
        account=parse_address(ctx_account, "from") if ctx_account is not None else None,
        origin=ctx_origin,
        stated_intent=obj.get("stated_intent"),
        id=obj.get("id"),
        known_addresses=known_addresses(obj.get("known_addresses")),
    )


def known_addresses(raw: Any) -> tuple[str, ...] | None:
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
    return tuple(sorted({parse_address(a, f"known_addresses[{i}]") for i, a in enumerate(raw)}))
