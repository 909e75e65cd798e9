"""Calldata decoding: the registry, Universal Router plans, nested calls, bounds, ERC-7730."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dmind.edge.decode.calldata import DecodeContext, decode_call
from dmind.edge.decode.erc7730 import DescriptorIndex
from dmind.edge.decode.functions import REGISTRY
from dmind.edge.limits import MAX_CALL_DEPTH
from eth_abi import encode

from tests.builders import ATTACKER, UNIVERSAL_ROUTER, USDC, WETH, calldata, ur_execute, v3_path

SAFE = "0x5aFE3855358E112B5647B952709E6165e1c1eEEe"


def _decode(to: str, data: bytes, value: int = 0, descriptors=None, chain_id: int = 1):
    ctx = DecodeContext(chain_id, descriptors)
    return decode_call(to, value, data, ctx), ctx.notes


# Selectors published for these functions (4byte.directory / the standards), as independent facts.
@pytest.mark.parametrize(
    "selector,function",
    [
        ("a9059cbb", "transfer(address,uint256)"),
        ("095ea7b3", "approve(address,uint256)"),
        ("a22cb465", "setApprovalForAll(address,bool)"),
        ("d505accf", "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"),
        ("3593564c", "execute(bytes,bytes[],uint256)"),
        ("ac9650d8", "multicall(bytes[])"),
        ("5ae401dc", "multicall(uint256,bytes[])"),
        ("6a761202", "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)"),
        ("8d80ff0a", "multiSend(bytes)"),
        ("f2fde38b", "transferOwnership(address)"),
        ("87517c45", "approve(address,address,uint160,uint48)"),
        ("2b67b570", "permit(address,((address,uint160,uint48,uint48),address,uint256),bytes)"),
        ("38ed1739", "swapExactTokensForTokens(uint256,uint256,address[],address,uint256)"),
    ],
)
def test_registry_selectors(selector, function):
    assert REGISTRY[bytes.fromhex(selector)].signature.canonical == function


def test_universal_router_plan_is_named():
    permit = (((USDC, 10**6, 2_000_000_000, 0), UNIVERSAL_ROUTER, 2_000_000_000), b"\x11" * 65)
    data = ur_execute(
        [
            (0x0A, ["((address,uint160,uint48,uint48),address,uint256)", "bytes"], list(permit)),
            (
                0x00 | 0x80,
                ["address", "uint256", "uint256", "bytes", "bool"],
                ["0x0000000000000000000000000000000000000001", 10**6, 1, v3_path(USDC, 500, WETH), True],
            ),
            (0x0C, ["address", "uint256"], [ATTACKER, 0]),
        ]
    )
    call, notes = _decode(UNIVERSAL_ROUTER, data)
    assert call.function == "execute(bytes,bytes[],uint256)" and not notes
    assert [c.name for c in call.commands] == ["PERMIT2_PERMIT", "V3_SWAP_EXACT_IN", "UNWRAP_WETH"]
    assert [c.allow_revert for c in call.commands] == [False, True, False]
    assert call.commands[0].roles["spender"] == UNIVERSAL_ROUTER and call.commands[0].roles["amount"] == 10**6
    assert call.commands[2].roles["recipient"] == ATTACKER


def test_universal_router_sub_plan_and_unknown_command():
    inner = ur_execute([(0x0B, ["address", "uint256"], [ATTACKER, 5])])
    commands, inputs, _ = _split_execute(inner)
    data = ur_execute([(0x21, ["bytes", "bytes[]"], [commands, inputs]), (0x3F, ["uint256"], [1])])
    call, notes = _decode(UNIVERSAL_ROUTER, data)
    assert call.commands[0].name == "EXECUTE_SUB_PLAN" and call.commands[0].commands[0].name == "WRAP_ETH"
    assert call.commands[1].name == "UNKNOWN_0x3f" and [n.code for n in notes] == ["UR_COMMAND_UNKNOWN"]
    assert call.confidence < 1


def _split_execute(data: bytes):
    from eth_abi import decode

    return decode(["bytes", "bytes[]", "uint256"], data[4:])


def test_commands_inputs_length_mismatch_is_malformed():
    data = calldata("execute(bytes,bytes[],uint256)", ["bytes", "bytes[]", "uint256"], [b"\x0b\x0b", [b""], 1])
    call, notes = _decode(UNIVERSAL_ROUTER, data)
    assert [n.code for n in notes] == ["CALLDATA_MALFORMED"] and call.confidence == 0


def test_multicall_and_safe_multisend_nest():
    approve = calldata("approve(address,uint256)", ["address", "uint256"], [ATTACKER, 1])
    multicall = calldata("multicall(bytes[])", ["bytes[]"], [[approve, approve]])
    packed = b"".join(
        bytes([0]) + bytes.fromhex(USDC[2:]) + (0).to_bytes(32, "big") + len(approve).to_bytes(32, "big") + approve
        for _ in range(2)
    )
    multisend = calldata("multiSend(bytes)", ["bytes"], [packed])
    safe = calldata(
        "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)",
        ["address", "uint256", "bytes", "uint8", "uint256", "uint256", "uint256", "address", "address", "bytes"],
        [SAFE, 0, multisend, 1, 0, 0, 0, "0x" + "00" * 20, "0x" + "00" * 20, b""],
    )
    call, _ = _decode(USDC, multicall)
    assert [c.function for c in call.calls] == ["approve(address,uint256)"] * 2 and call.calls[0].to == USDC
    call, notes = _decode(SAFE, safe)
    assert call.calls[0].function == "multiSend(bytes)"
    assert [c.roles["spender"] for c in call.calls[0].calls] == [ATTACKER, ATTACKER]
    assert "SAFE_DELEGATECALL" in [n.code for n in notes]


def test_nesting_past_the_bound_is_a_finding_not_a_crash():
    data = calldata("approve(address,uint256)", ["address", "uint256"], [ATTACKER, 1])
    for _ in range(MAX_CALL_DEPTH + 3):
        data = calldata("multicall(bytes[])", ["bytes[]"], [[data]])
    call, notes = _decode(USDC, data)
    assert "CALL_NESTING_EXCEEDED" in [n.code for n in notes]
    assert call.confidence == 1.0  # the outer call decoded; the tree's minimum is taken by the intent


def test_unknown_selector_and_malformed_args():
    call, notes = _decode(USDC, b"\xde\xad\xbe\xef" + b"\x00" * 32)
    assert call.source is None and [n.code for n in notes] == ["CALLDATA_UNDECODED"]
    call, notes = _decode(USDC, bytes.fromhex("a9059cbb") + b"\x00" * 10)
    assert call.confidence == 0 and [n.code for n in notes] == ["CALLDATA_MALFORMED"]


def test_descriptor_from_a_directory(tmp_path: Path):
    registry = tmp_path / "registry" / "acme"
    registry.mkdir(parents=True)
    (registry / "common-acme.json").write_text(
        json.dumps(
            {
                "display": {
                    "formats": {
                        "stake(uint256 amount, address beneficiary)": {
                            "intent": "Stake",
                            "fields": [{"path": "amount", "label": "Amount"}],
                        }
                    }
                }
            }
        )
    )
    (registry / "calldata-acme.json").write_text(
        json.dumps(
            {
                "includes": "common-acme.json",
                "context": {"contract": {"deployments": [{"chainId": 1, "address": ATTACKER}]}},
            }
        )
    )
    index = DescriptorIndex.load(tmp_path)
    data = calldata("stake(uint256,address)", ["uint256", "address"], [5, USDC])
    call, notes = _decode(ATTACKER, data, descriptors=index)
    assert call.function == "stake(uint256,address)" and call.label == "Stake" and call.source == "erc7730"
    assert call.args == {"amount": 5, "beneficiary": USDC} and not notes
    call, notes = _decode(ATTACKER, data, descriptors=index, chain_id=10)  # other chain: not described
    assert call.source is None


def _registry_calls():
    """(chain id, address, signature) for every calldata format of the shared ERC-7730 registry."""
    from tests.conftest import SHARED

    root = SHARED / "erc7730"
    if not root.exists():
        return []
    index = DescriptorIndex.load(root)
    return sorted({(chain, address, fmt.signature.canonical) for (chain, address, _), fmt in index._formats.items()})


REGISTRY_CALLS = _registry_calls()


def _default_value(t):
    from dmind.edge.abi.types import Array, Basic

    if isinstance(t, Basic):
        return {"address": "0x" + "11" * 20, "bool": True, "string": "x"}.get(
            t.name, b"\x01" * (t.size or 3) if t.name == "bytes" else 1
        )
    if isinstance(t, Array):
        return [_default_value(t.item)] * (t.length or 1)
    return tuple(_default_value(i) for i in t.items)


@pytest.mark.skipif(not REGISTRY_CALLS, reason="../shared/erc7730 is absent")
def test_every_registry_descriptor_decodes_its_calls():
    from dmind.edge.abi.types import parse_signature

    from tests.conftest import SHARED

    index = DescriptorIndex.load(SHARED / "erc7730")
    assert len(REGISTRY_CALLS) > 300
    for chain, address, signature in REGISTRY_CALLS:
        sig = parse_signature(signature)
        args = [_default_value(t) for t in sig.params.items]
        data = sig.selector + encode([t.canonical for t in sig.params.items], args)
        ctx = DecodeContext(chain, index)
        call = decode_call(address, 0, data, ctx)
        assert call.function == signature, (chain, address, signature, ctx.notes)
