"""The nano runtime's one error type: a model that cannot be loaded or run, with a stable code."""

from __future__ import annotations


class NanoError(RuntimeError):
    """A missing file, extra or backend, or a model the runtime cannot serve (`NANO_*` codes)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def missing_extra(backend: str, package: str, extra: str) -> NanoError:
    """The error for a backend whose runtime package is not installed, naming the extra that brings it."""
    return NanoError("NANO_EXTRA_MISSING", f"the {backend} backend needs {package}: pip install 'dmind-edge[{extra}]'")
