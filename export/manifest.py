"""`manifest.json`, written beside every exported model file: what it is, how it was made, and how it compares.

One manifest per artifact directory (`OUT/<format>-<quantization>/`). The directory also holds
the tokenizer, so `--model OUT/litert-int8 --backend litert` runs it as it is.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterable

from .card import sha256

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
CHECKPOINT_FILES = ("config.json", "model.safetensors")


def checkpoint_hash(directory: Path) -> str:
    """SHA-256 over the checkpoint's config and weights (name, length and bytes of each), the source an export names."""
    digest = hashlib.sha256()
    for name in CHECKPOINT_FILES:
        path = directory / name
        if path.exists():
            digest.update(f"{name}:{path.stat().st_size}:{sha256(path)}\n".encode())
    return digest.hexdigest()


def tool_versions(packages: Iterable[str]) -> dict[str, str]:
    """Installed versions of the packages an export used (absent ones are left out)."""
    found = {"python": platform.python_version()}
    for name in packages:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def file_entry(path: Path) -> dict[str, Any]:
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": sha256(path)}


def write_manifest(directory: Path, fields: dict[str, Any]) -> dict[str, Any]:
    """Write `manifest.json`: the given fields plus the manifest version, and every file in the directory with its hash."""
    files = [file_entry(p) for p in sorted(directory.iterdir()) if p.is_file() and p.name != MANIFEST]
    text = (
        json.dumps({"manifest_version": MANIFEST_VERSION, **fields, "files": files}, indent=2, ensure_ascii=False)
        + "\n"
    )
    (directory / MANIFEST).write_text(text)
    return json.loads(text)  # exactly what a reader of the file gets


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of an artifact directory; ValueError when it is missing, unreadable or of another version."""
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if manifest.get("manifest_version") != MANIFEST_VERSION:
        raise ValueError(f"{path}: manifest version {manifest.get('manifest_version')!r} is not {MANIFEST_VERSION}")
    return manifest


def check_files(directory: Path, manifest: dict[str, Any]) -> list[str]:
    """Files whose size or hash differs from the manifest (or that are missing)."""
    bad = []
    for entry in manifest["files"]:
        path = directory / entry["name"]
        if not path.exists() or path.stat().st_size != entry["bytes"] or sha256(path) != entry["sha256"]:
            bad.append(entry["name"])
    return bad
