"""The nano runtime's errors: a model that cannot be loaded or run, with a stable code."""

from __future__ import annotations

from dmind.policies.errors import DmindError


class NanoError(DmindError):
    """A missing file, extra or backend, or a model the runtime cannot serve (`NANO_*` codes)."""


class ReaderUnavailable(NanoError):
    """The host's reader cannot run here (no model file, no runtime); the words stay unread."""

    def __init__(self, message: str) -> None:
        super().__init__("NANO_UNAVAILABLE", message)


def missing_extra(backend: str, package: str, extra: str) -> NanoError:
    """The error for a backend whose runtime package is not installed, naming the extra that brings it."""
    return NanoError("NANO_EXTRA_MISSING", f"the {backend} backend needs {package}: pip install 'dmind-edge[{extra}]'")
