"""The nano intent model: FunctionGemma protocol, tools, decoding grammar and runtimes.

Its public surface, for the export pipeline and the benches: the runtime (`NanoModel`, its
backends), the protocol's control tokens and prompt rendering, tokenization, evaluation on a
conversation set, and the reader the gate calls with a user's words. The gate's path reads
replies and checks calls (`reply`, `tools`) and nothing else, so the runtime's names load on
first use; a backend's runtime (onnxruntime, LiteRT, ExecuTorch) loads when it is opened.
"""

from typing import TYPE_CHECKING

from ..lazy import lazy_getattr
from .errors import NanoError, ReaderUnavailable
from .protocol import CONTROL_TOKENS, END_CALL, ESCAPE, START_CALL, render_prompt, segments
from .reply import Reply, ToolCall, parse_reply
from .tools import TOOLS, CallError, is_address

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers
    from .evaluate import predict, read_conversations, report, write_predictions  # noqa: F401
    from .gemma.adapter import ADAPTER_FILE, CONFIG_FILE, PROJECTIONS, AdapterConfig  # noqa: F401
    from .gemma.base import BASE_FILE, BASE_PACKAGE, BASE_SHA256, GEMMA_NOTICE, base_weights, sha256_of  # noqa: F401
    from .gemma.build import ADAPTER_DIR, adapter_digest, build_model, cache_root  # noqa: F401
    from .gemma.tokenizer import CONTROL_IDS, with_control_tokens  # noqa: F401
    from .grounding import (
        TOKEN_NAMES,  # noqa: F401
        grounds_in,  # noqa: F401
    )
    from .metrics import turns  # noqa: F401
    from .reader import ModelReader  # noqa: F401
    from .runtime import BACKENDS, MINIATURE_DIR, NanoModel, open_backend  # noqa: F401
    from .tokens import encode, prefix  # noqa: F401

# name -> module that defines it, imported on first access
_LAZY = {
    "predict": ".evaluate",
    "read_conversations": ".evaluate",
    "report": ".evaluate",
    "write_predictions": ".evaluate",
    "TOKEN_NAMES": ".grounding",
    "turns": ".metrics",
    "ModelReader": ".reader",
    "BACKENDS": ".runtime",
    "MINIATURE_DIR": ".runtime",
    "NanoModel": ".runtime",
    "open_backend": ".runtime",
    "encode": ".tokens",
    "prefix": ".tokens",
    "grounds_in": ".grounding",
    # the default model: Gemma 3 270M, its shipped adapter and the torch-free build
    "ADAPTER_FILE": ".gemma.adapter",
    "CONFIG_FILE": ".gemma.adapter",
    "PROJECTIONS": ".gemma.adapter",
    "AdapterConfig": ".gemma.adapter",
    "BASE_FILE": ".gemma.base",
    "BASE_PACKAGE": ".gemma.base",
    "BASE_SHA256": ".gemma.base",
    "GEMMA_NOTICE": ".gemma.base",
    "base_weights": ".gemma.base",
    "sha256_of": ".gemma.base",
    "ADAPTER_DIR": ".gemma.build",
    "adapter_digest": ".gemma.build",
    "build_model": ".gemma.build",
    "cache_root": ".gemma.build",
    "CONTROL_IDS": ".gemma.tokenizer",
    "with_control_tokens": ".gemma.tokenizer",
}
__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = [
    "CONTROL_TOKENS",
    "END_CALL",
    "ESCAPE",
    "START_CALL",
    "TOOLS",
    "CallError",
    "NanoError",
    "ReaderUnavailable",
    "Reply",
    "ToolCall",
    "is_address",
    "parse_reply",
    "render_prompt",
    "segments",
    *_LAZY,
]
