"""Every CLI verb that reads input, run in one process on garbage: `python -m tests.edge.cli_garbage DIR`.

Prints one JSON line per run (arguments, exit status, standard error). The test beside this
module checks the lines; a separate process keeps the verbs' imports and output out of pytest's.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

# verb -> arguments, with {junk} (bytes that are not UTF-8), {dup} (JSON with a duplicate key) and {dir} (a scratch folder)
GARBAGE: dict[str, list[list[str]]] = {
    "check": [
        ["{junk}"],
        ["{dup}"],
        ["{dir}/missing.json"],
        ["--batch", "{junk}"],
        ["{junk}", "--policy", "{junk}"],
        ["{junk}", "--local", "{dir}"],
        ["{junk}", "--descriptors", "{dir}/missing"],
    ],
    "demo": [["--policy", "{junk}"]],
    "policy init": [["{dir}/no/such/folder/p.toml"]],
    "policy build": [["{junk}", "--out", "{dir}/o.cbor"], ["{dup}", "--out", "{dir}/o.cbor"]],
    "policy sign": [
        ["{junk}", "--key", "{junk}", "--out", "{dir}/o"],
        ["{junk}", "--key", "{pub}", "--out", "{dir}/o"],
    ],
    "policy verify": [["{junk}", "--trust-key", "{pub}"], ["{junk}", "--trust-key", "{junk}"]],
    "policy inspect": [["{junk}"]],
    "policy diff": [["{junk}", "{junk}"]],
    "policy install": [["{junk}", "--state", "{dir}/st", "--trust-key", "{pub}"]],
    "cloud route": [["{junk}"], ["{dup}"]],
    "device load-policy": [["{dir}/missing.cbor"]],
    "device evaluate": [["{junk}"], ["{dup}"]],
    "device sign": [["{dup}"], ["{junk}", "--verdict", "{junk}"]],
    "device qr": [["{junk}"], ["{dup}"]],
    "export verify": [["{junk}"]],
    "local connect": [["garbage://x", "--client", "{dir}/client"]],
    "local unpair": [["no-such-device", "--state", "{dir}/lst"]],
    "local context import": [["{junk}", "--state", "{dir}/lst"], ["{dup}", "--state", "{dir}/lst"]],
    "nano eval": [["--dataset", "{junk}"]],
    "nano ask": [["--messages", "{junk}"], ["--messages", "{dup}"]],
}
# Verbs that read no request: servers, benches, key generation, listings. `device airgap` reads URs on standard
# input; its refusals are tested in tests/firmware_bridge/test_ur.py.
NO_REQUEST_INPUT = {
    "bench gate",
    "bench policy",
    "bench bridge",
    "bench local",
    "bench cloud",
    "bench nano",
    "nano build",  # reads only the shipped adapter and the base package
    "device airgap",
    "policy keygen",
    "audit sanitize",
    "cloud serve",
    "device confirm",
    "device emulate",
    "device info",
    "export build",
    "local serve",
    "local pair",
    "local status",
    "local context add",
    "local context list",
    "local context remove",
    "local console",
    "nano chat",  # reads lines typed at its prompt: tests/nano/test_conversation.py
    "train nano",
}


def verbs() -> list[str]:
    """Every leaf command of `dmind-edge`, the tiers' plugins included."""
    import typer
    from dmind.edge.cli import _plugins, app

    _plugins(["dmind-edge"])
    _plugins(["dmind-edge", "bench"])  # the benches are plugins too
    found: list[str] = []

    def walk(command, path: list[str]) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, path + [name])
        else:
            found.append(" ".join(path))

    walk(typer.main.get_command(app), [])
    return found


def main(folder: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from dmind.edge.cli import app
    from dmind.edge.cli_boundary import run

    scratch = Path(folder)
    (scratch / "junk.bin").write_bytes(b"\xff\x00{garbage\x80")
    (scratch / "dup.json").write_text('{"a": 1, "a": 2}')
    public = Ed25519PrivateKey.generate().public_key()
    (scratch / "pub.pem").write_bytes(
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    names = {
        "junk": str(scratch / "junk.bin"),
        "dup": str(scratch / "dup.json"),
        "dir": str(scratch),
        "pub": str(scratch / "pub.pem"),
    }
    print(json.dumps({"verbs": verbs()}), flush=True)
    for verb, runs in GARBAGE.items():
        for args in runs:
            argv = verb.split() + [a.format(**names) for a in args]
            err, out = io.StringIO(), io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
                status = run(app, argv)
            print(
                json.dumps(
                    {"verb": verb, "args": argv, "status": status, "stderr": err.getvalue(), "stdout": out.getvalue()}
                ),
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1])
