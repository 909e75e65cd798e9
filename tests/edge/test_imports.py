"""What `import dmind.edge` loads: no model runtime, no torch, no web framework, no CLI toolkit,
and no compiled extension beyond the standard library and the keccak backend."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = (
    "torch",
    "onnxruntime",
    "tensorflow",
    "ai_edge_litert",
    "executorch",
    "transformers",
    "numpy",
    "httpx",
    "aiohttp",
    "fastapi",
    "starlette",
    "uvicorn",
    "hypercorn",
    "flask",
    "typer",
    "rich",
    "click",
    "eth_abi",
    "eth_keys",
    "pydantic",
    "regex",
    "coincurve",
)

PROBE = r"""
import importlib.machinery, json, sys, sysconfig
before = set(sys.modules)
import dmind.edge, dmind.policies
from dmind.edge import evaluate_json
from dmind.edge.examples import EXAMPLES_NOW, example_requests
for row in example_requests():
    evaluate_json(row, now=EXAMPLES_NOW)
stdlib = sysconfig.get_paths()["stdlib"]
compiled = sorted(
    name for name, module in sys.modules.items()
    if name not in before and (getattr(module, "__file__", None) or "").endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    and not module.__file__.startswith(stdlib)
)
print(json.dumps({"modules": sorted(sys.modules), "compiled": compiled}))
"""


def _probe() -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def test_gate_loads_no_runtime_framework_or_cli():
    modules = _probe()["modules"]
    loaded = {m.split(".")[0] for m in modules}
    assert not loaded & set(FORBIDDEN), loaded & set(FORBIDDEN)


def test_only_compiled_modules_are_the_keccak_backend_and_optional_accelerators():
    # pycryptodome provides keccak (loading its native code through cffi when cffi is installed,
    # ctypes otherwise); cytoolz is optional (eth-utils falls back to pure toolz).
    allowed_roots = {"Crypto", "_cffi_backend", "cytoolz"}
    compiled = _probe()["compiled"]
    assert {m.split(".")[0] for m in compiled} <= allowed_roots, compiled


PURE = r"""
import json, sys
sys.modules["cytoolz"] = None  # as in embedded Python, where no compiled wheel exists
from dmind.edge import evaluate_json
from dmind.edge.examples import EXAMPLES_NOW, example_requests
print(json.dumps([evaluate_json(row, now=EXAMPLES_NOW).verdict for row in example_requests()]))
"""


def test_gate_decides_the_same_without_compiled_accelerators():
    from dmind.edge import evaluate_json
    from dmind.edge.examples import EXAMPLES_NOW, example_requests

    result = subprocess.run([sys.executable, "-c", PURE], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(result.stdout) == [evaluate_json(row, now=EXAMPLES_NOW).verdict for row in example_requests()]


BRIDGE = r"""
import importlib.machinery, json, sys, sysconfig
sys.modules["cytoolz"] = None
sys.modules["_cbor2"] = None  # cbor2's C extension: the bridge must run on its pure-Python codec
before = set(sys.modules)
import cbor2
from dmind.edge.host_api import handle
from dmind.edge.examples import EXAMPLES_NOW, example_requests
verdicts = []
for i, row in enumerate(example_requests()):
    context = {"chain_id": "chainId", "from": "from", "origin": "origin", "address_lookup_tables": "address_lookup_tables"}
    fields = {k: row[name] for k, name in context.items() if row.get(name) is not None}
    message = {"api_version": 1, "request_id": i, "op": "evaluate", "request": row["request"], "now": EXAMPLES_NOW, **fields}
    verdicts.append(cbor2.loads(handle(cbor2.dumps(message)))["result"]["decision"])
stdlib = sysconfig.get_paths()["stdlib"]
compiled = sorted(
    name for name, module in sys.modules.items()
    if name not in before and (getattr(module, "__file__", None) or "").endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    and not module.__file__.startswith(stdlib)
)
print(json.dumps({"modules": sorted(sys.modules), "compiled": compiled, "verdicts": verdicts}))
"""


def test_bridge_runs_on_pure_python_cbor_and_decides_as_the_gate():
    from dmind.edge import evaluate_json
    from dmind.edge.examples import EXAMPLES_NOW, example_requests

    result = json.loads(
        subprocess.run([sys.executable, "-c", BRIDGE], capture_output=True, text=True, timeout=120, check=True).stdout
    )
    assert not {m.split(".")[0] for m in result["modules"]} & set(FORBIDDEN)
    assert {m.split(".")[0] for m in result["compiled"]} <= {"Crypto", "_cffi_backend"}, result["compiled"]
    assert result["verdicts"] == [evaluate_json(row, now=EXAMPLES_NOW).verdict for row in example_requests()]
