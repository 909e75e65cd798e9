"""The nano intent model: FunctionGemma protocol, tools, decoding grammar and runtimes.

Its public surface, for the export pipeline and the benches: the runtime (`NanoModel`, its
backends), the protocol's control tokens and prompt rendering, tokenization, evaluation on a
conversation set, and the reader the gate calls with a user's words. Every module here is
pure Python; a backend's runtime (onnxruntime, LiteRT, ExecuTorch) loads when it is opened.
"""

from .errors import NanoError, ReaderUnavailable
from .evaluate import predict, read_conversations, report
from .grounding import TOKEN_NAMES
from .metrics import turns
from .protocol import CONTROL_TOKENS, END_CALL, ESCAPE, START_CALL, render_prompt, segments
from .reader import ModelReader
from .reply import Reply, ToolCall, parse_reply
from .runtime import BACKENDS, BUILTIN_DIR, NanoModel, open_backend
from .tokens import encode, prefix
from .tools import TOOLS, CallError, is_address

__all__ = [
    "BACKENDS", "BUILTIN_DIR", "CONTROL_TOKENS", "END_CALL", "ESCAPE", "START_CALL", "TOKEN_NAMES", "TOOLS",
    "CallError", "ModelReader", "NanoError", "NanoModel", "ReaderUnavailable", "Reply", "ToolCall",
    "encode", "is_address", "open_backend", "parse_reply", "predict", "prefix", "read_conversations", "render_prompt",
    "report", "segments", "turns",
]
