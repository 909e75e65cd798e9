"""Known EIP-712 schemas: which typed data is a permit, a Permit2 grant or a Seaport order.

A schema matches on the exact `encodeType` string of the primary type (what the contract
hashes), so a look-alike with one field renamed is not mistaken for the real thing.
Witness permits match on the fixed prefix their witness type extends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from ..parse.typed_data import encode_type, to_integer, typed_address
from ..types import Action, TypedData, TypedIntent

UINT256_MAX = (1 << 256) - 1
_PERMIT_DETAILS = "PermitDetails(address token,uint160 amount,uint48 expiration,uint48 nonce)"
_TOKEN_PERMISSIONS = "TokenPermissions(address token,uint256 amount)"
_CONSIDERATION = (
    "ConsiderationItem(uint8 itemType,address token,uint256 identifierOrCriteria,"
    "uint256 startAmount,uint256 endAmount,address recipient)"
)
_OFFER = "OfferItem(uint8 itemType,address token,uint256 identifierOrCriteria,uint256 startAmount,uint256 endAmount)"
_ORDER = (
    "OrderComponents(address offerer,address zone,OfferItem[] offer,ConsiderationItem[] consideration,uint8 orderType,"
    "uint256 startTime,uint256 endTime,bytes32 zoneHash,uint256 salt,bytes32 conduitKey,uint256 counter)"
)
_BULK_ORDER = re.compile(
    r"BulkOrder\(OrderComponents(\[2\]){1,24} tree\)" + re.escape(_CONSIDERATION + _OFFER + _ORDER)
)


def _addr(value: Any, where: str) -> str:
    # The values were validated (and leniencies noted) when the digest was computed; read them the same way.
    return typed_address(value, where, [])


def _int(value: Any, where: str) -> int:
    return to_integer(value, where, [])


def _grant(token: Any, amount: int, expiration: Any | None, where: str) -> dict:
    return {
        "token": _addr(token, f"{where}.token"),
        "amount": amount,
        "expiration": None if expiration is None else _int(expiration, f"{where}.expiration"),
    }


def _eip2612(td: TypedData) -> dict:
    m = td.message
    return {
        "owner": _addr(m["owner"], "owner"),
        "spender": _addr(m["spender"], "spender"),
        "deadline": _int(m["deadline"], "deadline"),
        "grants": [
            _grant(td.domain.get("verifyingContract", "0x" + "00" * 20), _int(m["value"], "value"), None, "message")
        ],
    }


def _dai(td: TypedData) -> dict:
    m = td.message
    amount = UINT256_MAX if m["allowed"] else 0
    expiry = _int(m["expiry"], "expiry")
    return {
        "owner": _addr(m["holder"], "holder"),
        "spender": _addr(m["spender"], "spender"),
        "deadline": expiry or UINT256_MAX,  # DAI: expiry 0 means the permit never expires
        "grants": [_grant(td.domain.get("verifyingContract", "0x" + "00" * 20), amount, None, "message")],
    }


def _permit2_allowance(td: TypedData) -> dict:
    details = td.message["details"]
    items = details if isinstance(details, list) else [details]
    return {
        "spender": _addr(td.message["spender"], "spender"),
        "deadline": _int(td.message["sigDeadline"], "sigDeadline"),
        "grants": [
            _grant(d["token"], _int(d["amount"], f"details[{i}].amount"), d["expiration"], f"details[{i}]")
            for i, d in enumerate(items)
        ],
    }


def _permit2_transfer(td: TypedData) -> dict:
    permitted = td.message["permitted"]
    items = permitted if isinstance(permitted, list) else [permitted]
    return {
        "spender": _addr(td.message["spender"], "spender"),
        "deadline": _int(td.message["deadline"], "deadline"),
        "grants": [
            _grant(p["token"], _int(p["amount"], f"permitted[{i}].amount"), None, f"permitted[{i}]")
            for i, p in enumerate(items)
        ],
    }


def _order(order: dict, where: str) -> dict:
    def items(values: list, kind: str) -> list[dict]:
        return [
            {
                "itemType": _int(v["itemType"], f"{where}.{kind}.itemType"),
                "token": _addr(v["token"], f"{where}.{kind}.token"),
                "identifier": _int(v["identifierOrCriteria"], f"{where}.{kind}.identifierOrCriteria"),
                "startAmount": _int(v["startAmount"], f"{where}.{kind}.startAmount"),
                "endAmount": _int(v["endAmount"], f"{where}.{kind}.endAmount"),
                **({"recipient": _addr(v["recipient"], f"{where}.{kind}.recipient")} if "recipient" in v else {}),
            }
            for v in values
        ]

    return {
        "offerer": _addr(order["offerer"], f"{where}.offerer"),
        "offer": items(order["offer"], "offer"),
        "consideration": items(order["consideration"], "consideration"),
    }


def _seaport(td: TypedData) -> dict:
    return {"orders": [_order(td.message, "message")]}


def _seaport_bulk(td: TypedData) -> dict:
    leaves: list[dict] = []
    stack: list[Any] = [td.message["tree"]]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        else:
            leaves.append(node)
    return {"orders": [_order(leaf, f"tree[{i}]") for i, leaf in enumerate(leaves)]}


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    action: Action
    matches: Callable[[str], bool]
    roles: Callable[[TypedData], dict]


def _exact(encoded: str) -> Callable[[str], bool]:
    return lambda text: text == encoded


def _prefix(prefix: str) -> Callable[[str], bool]:
    return lambda text: text.startswith(prefix) and _TOKEN_PERMISSIONS in text


SCHEMAS: tuple[Schema, ...] = (
    Schema(
        "eip2612_permit",
        Action.PERMIT,
        _exact("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
        _eip2612,
    ),
    Schema(
        "dai_permit",
        Action.PERMIT,
        _exact("Permit(address holder,address spender,uint256 nonce,uint256 expiry,bool allowed)"),
        _dai,
    ),
    Schema(
        "permit2_single",
        Action.PERMIT2,
        _exact(f"PermitSingle(PermitDetails details,address spender,uint256 sigDeadline){_PERMIT_DETAILS}"),
        _permit2_allowance,
    ),
    Schema(
        "permit2_batch",
        Action.PERMIT2,
        _exact(f"PermitBatch(PermitDetails[] details,address spender,uint256 sigDeadline){_PERMIT_DETAILS}"),
        _permit2_allowance,
    ),
    Schema(
        "permit2_transfer_from",
        Action.PERMIT2,
        _exact(
            "PermitTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 "
            f"deadline){_TOKEN_PERMISSIONS}"
        ),
        _permit2_transfer,
    ),
    Schema(
        "permit2_batch_transfer_from",
        Action.PERMIT2,
        _exact(
            "PermitBatchTransferFrom(TokenPermissions[] permitted,address spender,uint256 nonce,uint256 "
            f"deadline){_TOKEN_PERMISSIONS}"
        ),
        _permit2_transfer,
    ),
    Schema(
        "permit2_witness_transfer_from",
        Action.PERMIT2,
        _prefix("PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,"),
        _permit2_transfer,
    ),
    Schema(
        "permit2_batch_witness_transfer_from",
        Action.PERMIT2,
        _prefix(
            "PermitBatchWitnessTransferFrom(TokenPermissions[] permitted,address spender,uint256 nonce,uint256 "
            "deadline,"
        ),
        _permit2_transfer,
    ),
    Schema("seaport_order", Action.NFT_ORDER, _exact(_ORDER + _CONSIDERATION + _OFFER), _seaport),
    Schema("seaport_bulk_order", Action.NFT_ORDER, lambda text: bool(_BULK_ORDER.fullmatch(text)), _seaport_bulk),
)


def typed_intent(td: TypedData) -> TypedIntent:
    """The schema a piece of typed data matches, or the generic intent that shows every field."""
    encoded = encode_type(td.types, td.primary_type)
    for schema in SCHEMAS:
        if schema.matches(encoded):
            return TypedIntent(schema.name, schema.action, schema.roles(td))
    return TypedIntent(None, Action.SIGN_TYPED_DATA, {})
