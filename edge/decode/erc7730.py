"""ERC-7730 clear-signing descriptors, loaded at run time from a registry directory.

The registry layout is the public one: `registry/<owner>/calldata-*.json` (and `ercs/`),
where a file may `includes` a sibling that holds its `display.formats`. A format key is a
human-readable signature with parameter names (v2 schema); its selector is computed from
the canonical form. A descriptor applies when both the chain id and the contract address
of a call match one of its `context.contract.deployments`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from ..abi.types import AbiTypeError, FunctionSignature, parse_signature

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DescriptorFormat:
    signature: FunctionSignature
    intent: str | None
    labels: dict[str, str]
    source: str


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = (
            _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
        )
    return merged


def _resolve(path: Path, depth: int = 0) -> dict:
    document = json.loads(path.read_text(encoding="utf-8"))
    include = document.get("includes")
    if isinstance(include, str) and depth < 4:
        document = _merge(
            _resolve(path.parent / include, depth + 1), {k: v for k, v in document.items() if k != "includes"}
        )
    return document


class DescriptorIndex:
    """Calldata formats by (chain id, contract address, selector)."""

    def __init__(self) -> None:
        self._formats: dict[tuple[int, str, bytes], DescriptorFormat] = {}
        self.files = 0
        self.skipped: list[tuple[str, str]] = []

    def __len__(self) -> int:
        return len(self._formats)

    def lookup(self, chain_id: int | None, address: str, selector: bytes) -> DescriptorFormat | None:
        if chain_id is None:
            return None
        return self._formats.get((chain_id, address.lower(), selector))

    def add_document(self, document: dict, source: str) -> None:
        """Index one resolved descriptor; formats without deployments describe no contract."""
        deployments = ((document.get("context") or {}).get("contract") or {}).get("deployments") or []
        formats = (document.get("display") or {}).get("formats") or {}
        for key, fmt in formats.items():
            try:
                signature = parse_signature(key)
            except AbiTypeError as exc:
                self.skipped.append((source, f"{key}: {exc}"))
                continue
            fields = fmt.get("fields", []) if isinstance(fmt, dict) else []
            labels = {
                f["path"]: f["label"]
                for f in fields
                if isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("label"), str)
            }
            entry = DescriptorFormat(
                signature,
                fmt.get("intent") if isinstance(fmt, dict) and isinstance(fmt.get("intent"), str) else None,
                labels,
                source,
            )
            for deployment in deployments:
                if (
                    isinstance(deployment, dict)
                    and isinstance(deployment.get("chainId"), int)
                    and isinstance(deployment.get("address"), str)
                ):
                    self._formats[(deployment["chainId"], deployment["address"].lower(), signature.selector)] = entry

    @classmethod
    def load(cls, directory: str | Path) -> "DescriptorIndex":
        """Load every calldata descriptor under `directory` (a registry root or any folder of descriptors)."""
        root = Path(directory)
        if not root.is_dir():
            raise FileNotFoundError(f"descriptor directory {root} does not exist")
        index = cls()
        for path in sorted(root.rglob("calldata-*.json")):
            try:
                index.add_document(_resolve(path), str(path.relative_to(root)))
                index.files += 1
            except (OSError, ValueError) as exc:
                index.skipped.append((str(path), str(exc)))
        for source, reason in index.skipped:
            log.warning("skipped ERC-7730 descriptor %s: %s", source, reason)
        return index
