"""One shape for refusals below the gate: a stable `code` and a sentence a person understands.

Parts built on the policies (bundles, the bridge, the local tier) subclass `CodedError`, so a
boundary can report any of them the same way. The gate's own errors (`dmind.edge.errors`)
also carry the verdict each code fails closed to.
"""

from __future__ import annotations


class CodedError(ValueError):
    """An input refused, with a stable `code` and a human `message`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
