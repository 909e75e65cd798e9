#!/usr/bin/env python3
"""Set-up and entry points that need nothing but Python 3.11+.

    python3 tasks.py demo    # create .venv, install, check the bundled example requests
    python3 tasks.py test    # create .venv, install with [dev], lint and format check (ruff), type check (mypy), all tests
    python3 tasks.py bench   # measure the gate (dmind-edge bench gate)

Extra arguments after the task go to the command it runs (e.g. `tasks.py test -k rules`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
# Extras that train models need torch; this exact release is the CPU build (a plain `torch` would pull CUDA, gigabytes).
TORCH = "torch==2.13.0"
NEEDS_TORCH = ("dev", "train", "export", "executorch")


# setuptools tells every editable install of a package-dir layout to beware of same-named folders; that is this
# layout's design (edge/ installs as dmind.edge), so the notice is silenced and real warnings still print.
QUIET_EDITABLE = {"PYTHONWARNINGS": "ignore:Editable installation"}


def _run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env={**os.environ, **(env or {})})


def ensure(extra: str | None) -> None:
    """Create the virtual environment and install the project, once per pyproject change."""
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    stamp = VENV / f".installed-{extra or 'base'}"
    if not stamp.exists() or stamp.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        target = f".[{extra}]" if extra else "."
        if extra in NEEDS_TORCH:
            _run(BIN / "python", "-m", "pip", "install", "--quiet", TORCH)
        _run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", target, env=QUIET_EDITABLE)
        stamp.touch()


# The packages the type checker covers: the gate, the policy model and the tiers built on them.
TYPED = ("edge", "policies", "local_tier", "cloud_client", "firmware_bridge")


def typecheck() -> None:
    """mypy over `TYPED`, seen as the `dmind.*` packages they install as (pyproject's package-dir), through symlinks."""
    tree = ROOT / ".typecheck" / "dmind"
    tree.mkdir(parents=True, exist_ok=True)
    for name in TYPED:
        link = tree / name
        if not link.is_symlink():
            link.symlink_to(ROOT / name, target_is_directory=True)
    packages = [arg for name in TYPED for arg in ("-p", f"dmind.{name}")]
    print("+ mypy", " ".join(packages), flush=True)
    subprocess.run(
        [str(BIN / "python"), "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), *packages],
        cwd=tree.parent,
        check=True,
    )


def test(args: list[str]) -> None:
    _run(BIN / "python", "-m", "ruff", "check", ".")
    _run(BIN / "python", "-m", "ruff", "format", "--check", ".")
    typecheck()
    _run(BIN / "python", "-m", "pytest", "-q", *args)


TASKS = {
    "demo": (None, lambda args: _run(BIN / "dmind-edge", "demo", *args)),
    "test": ("dev", test),
    "bench": (None, lambda args: _run(BIN / "dmind-edge", "bench", "gate", *args)),
}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__)
        return 2
    extra, action = TASKS[sys.argv[1]]
    try:
        ensure(extra)
        action(sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        return exc.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
