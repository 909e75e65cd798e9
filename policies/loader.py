"""Reading a policy from a human-edited file (JSON or TOML) until signed bundles arrive."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from .model import Policy, PolicyError, policy_from_dict


def load_policy_file(path: str | Path) -> Policy:
    """Load and validate a `.json` or `.toml` policy file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError("file", f"cannot read {path}: {exc.strerror}") from exc
    try:
        raw = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise PolicyError("file", f"{path} is not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'}: {exc}") from exc
    return policy_from_dict(raw)
