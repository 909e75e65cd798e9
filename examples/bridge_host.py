"""Drive the mobile bridge exactly as an app does: bytes in, bytes out, nothing else.

    python examples/bridge_host.py

An Android (Chaquopy) or iOS (BeeWare / PythonKit) app makes the same calls from Kotlin or
Swift; see docs/embedding.md. Here the "app" signs its own policy bundle first, so the example
needs nothing but an installed dmind-edge.
"""

from __future__ import annotations

import time

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.edge.host_api import handle
from dmind.edge.nano.protocol import render_call
from dmind.policies import default_policy
from dmind.policies.bundle import build_payload, sign_bundle

SIGNER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
_next_id = 0


def call(op: str, **fields) -> dict:
    """One round trip through `handle`, as the app's native code would make it."""
    global _next_id
    _next_id += 1
    answer = cbor2.loads(handle(cbor2.dumps({"api_version": 1, "request_id": _next_id, "op": op, **fields})))
    if "code" in answer:  # an error is never a permission to sign
        print(f"  {op}: refused, {answer['code']}: {answer['message']}")
    return answer


def vendor_bundle() -> tuple[bytes, bytes]:
    """What a wallet vendor ships: a signed policy bundle and the raw public key the app pins."""
    key = Ed25519PrivateKey.generate()
    now = int(time.time())
    payload = build_payload(default_policy(), now - 60, now - 60, now + 86400, "0.0.1", (1,))
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sign_bundle(payload, key), public


def transaction(to: str, data: str = "0x", value: int = 0) -> dict:
    tx = {
        "from": SIGNER,
        "to": to,
        "value": hex(value),
        "data": data,
        "gas": "0x30000",
        "nonce": "0x7",
        "maxFeePerGas": "0x6fc23ac00",
        "maxPriorityFeePerGas": "0x3b9aca00",
        "chainId": "0x1",
    }
    return {"method": "eth_sendTransaction", "params": [tx]}


def main() -> None:
    info = call("info")["result"]
    print(
        f"bridge {info['runtime']}: operations {', '.join(info['operations'])}; nano runtime here: "
        f"{info['nano_runtime']}"
    )

    bundle, public = vendor_bundle()
    loaded = call("load_policy", bundle=bundle, trust_keys=[public])["result"]
    print(f"policy {loaded['bundle_id']} r{loaded['revision']} active until {loaded['expires_at']}")

    approve = "0x095ea7b3" + "00" * 12 + FRIEND[2:].lower() + "f" * 64  # approve(FRIEND, 2^256 - 1)
    requests = {
        "send 0.01 ETH to a friend": transaction(FRIEND, value=10**16),
        "unlimited USDC approval": transaction("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", approve),
        "eth_sign of a raw hash": {"method": "eth_sign", "params": [SIGNER, "0x" + "ab" * 32]},
    }
    for label, request in requests.items():
        decision = call("evaluate", request=request, chain_id=1, origin="https://app.example")["result"]
        codes = ", ".join(f["code"] for f in decision["findings"]) or "no findings"
        print(f"  {label}: {decision['decision']} (risk {decision['risk']:.2f}; {codes})")

    # A host that runs the nano model itself asks for the prompt and grammar, then passes the output in.
    words = "swap 250 USDC for 0x6982508145454Ce325dDbE47a25d4ec3d2311933"
    prompt = call("nano_prompt", messages=[{"role": "user", "content": words}])["result"]
    output = render_call(
        "EXECUTE_SWAP",
        {
            "inputTokenSymbol": "USDC",
            "inputTokenAmount": 250,
            "outputTokenCA": "0x6982508145454Ce325dDbE47a25d4ec3d2311933",
        },
    )
    read = call("read_intent", words=words, nano_output=output)["result"]
    print(f"prompt of {len(prompt['prompt'])} characters; the host's model read: {read}")
    decision = call(
        "evaluate", request=transaction(FRIEND, value=10**16), chain_id=1, stated_intent=words, nano_output=output
    )["result"]
    print(
        f"  ETH transfer after the user asked for that swap: {decision['decision']} "
        f"({', '.join(f['code'] for f in decision['findings'])})"
    )

    garbage = cbor2.loads(handle(b"\x00garbage"))
    print(f"garbage in: {garbage['code']}")


if __name__ == "__main__":
    main()
