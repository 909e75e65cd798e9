"""Every ERC-7730 registry call and bundled example, decided: `python -m tests.conformance.registry_verdicts > A.json`.

Run it on two commits and compare (`... --compare A.json B.json`) to see whether a change moved any
verdict or finding code of real dapp traffic. The calls carry synthetic arguments (as in
`tests/edge/test_decode.py`); the registry is `../shared/erc7730`.
"""

from __future__ import annotations

import json
import sys

from dmind.edge import evaluate_json
from dmind.edge.abi.types import parse_signature
from dmind.edge.decode.erc7730 import DescriptorIndex
from dmind.edge.examples import EXAMPLES_NOW, example_requests
from eth_abi import encode

from tests.builders import SIGNER
from tests.conftest import SHARED
from tests.edge.test_decode import REGISTRY_CALLS, _default_value


def verdicts() -> dict[str, list]:
    index = DescriptorIndex.load(SHARED / "erc7730")
    out: dict[str, list] = {}
    for chain, address, signature in REGISTRY_CALLS:
        sig = parse_signature(signature)
        data = sig.selector + encode(
            [t.canonical for t in sig.params.items], [_default_value(t) for t in sig.params.items]
        )
        tx = {"from": SIGNER, "to": address, "data": "0x" + data.hex(), "chainId": hex(chain)}
        obj = {
            "request": {"method": "eth_sendTransaction", "params": [tx]},
            "chainId": chain,
            "from": SIGNER,
            "origin": "https://app.example",
        }
        d = evaluate_json(obj, descriptors=index, now=EXAMPLES_NOW)
        out[f"{chain}:{address}:{signature}"] = [d.verdict, sorted({f.code for f in d.findings})]
    for row in example_requests():
        d = evaluate_json(row, now=EXAMPLES_NOW)
        out[f"example:{row.get('label')}"] = [d.verdict, sorted({f.code for f in d.findings})]
    return out


def compare(before: dict, after: dict) -> int:
    moved = [k for k in before if before[k] != after.get(k)]
    for key in moved:
        print(f"{key}: {before[key]} -> {after.get(key)}")
    print(f"{len(before)} requests, {len(moved)} with another verdict or other finding codes")
    return 1 if moved else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compare"]:
        sys.exit(compare(*(json.load(open(path)) for path in sys.argv[2:4])))
    json.dump(verdicts(), sys.stdout)
