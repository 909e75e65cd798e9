"""Reading a policy from a human-edited file (JSON or TOML) until signed bundles arrive."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from .model import Policy, PolicyError, policy_from_dict


def _unique(pairs: list) -> dict:
    """A JSON object whose keys are distinct (TOML refuses duplicates itself)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return obj


def load_policy_file(path: str | Path) -> Policy:
    """Load and validate a `.json` or `.toml` policy file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError("file", f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise PolicyError("file", f"{path} is not UTF-8 text") from exc
    try:
        raw = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text, object_pairs_hook=_unique)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise PolicyError(
            "file", f"{path} is not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'}: {exc}"
        ) from exc
    return policy_from_dict(raw)
