"""The local tier: the user's paired desktop verifier that STEP_UP escalates to.

It holds what never leaves the user's hardware (address book, history, holdings, limits,
allow and deny lists), verifies escalated payloads against it, and answers with a verdict
signed for exactly the digest, account and request it was asked about.
"""

from .daemon import Daemon, authenticate, serve
from .pairing import new_offer
from .store import ContextStore, StoreError
from .verify import LocalResult, verify

__all__ = ["ContextStore", "Daemon", "LocalResult", "StoreError", "authenticate", "new_offer", "serve", "verify"]
