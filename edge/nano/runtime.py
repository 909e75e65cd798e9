"""Run a nano model: greedy decoding under the grammar, with a key-value cache, on a pluggable backend.

The model is loaded once (`NanoModel.load`) and reused. The developer turn every prompt opens
with is run once at load and its cache kept, so a request only pays for its own tokens.
Backends take ids and a cache and return the last position's logits and the grown cache;
the decoding loop, the grammar and the stop rules are shared by all of them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Protocol, Sequence

from .grammar import addresses_in, lark_grammar
from .parse import Reply, parse_reply
from .protocol import END_CALL, END_TURN, EOS, START_RESPONSE
from .tokens import encode, prefix
from .tools import CallError

BUILTIN_DIR = Path(__file__).parent / "builtin"
MODEL_FILES = {"onnx": ("model.int8.onnx", "model.onnx")}
STOP_TOKENS = (END_TURN, START_RESPONSE, EOS, END_CALL)


class NanoError(RuntimeError):
    """The model cannot be loaded or run: a missing file, extra or backend, with a stable code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Backend(Protocol):
    def run(self, ids: Sequence[int], cache: Any) -> tuple[Any, Any]:
        """Logits of the last position after `ids`, and the cache grown by them (cache None: empty)."""


class OnnxBackend:
    """An onnxruntime session over the graph `export/onnx_export.py` writes."""

    def __init__(self, path: Path, threads: Optional[int] = None) -> None:
        try:
            import numpy as np
            import onnxruntime as ort
        except ImportError as exc:
            raise NanoError("NANO_EXTRA_MISSING", "the ONNX backend needs onnxruntime: pip install 'dmind-edge[nano]'") from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.np = np
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        keys = next(i for i in self.session.get_inputs() if i.name == "past_keys")
        layers, _, heads, _, width = keys.shape
        self.empty = np.zeros((layers, 1, heads, 0, width), dtype=np.float32)
        self.path = path

    def run(self, ids: Sequence[int], cache: Any) -> tuple[Any, Any]:
        keys, values = cache if cache is not None else (self.empty, self.empty)
        feed = {"input_ids": self.np.asarray([ids], dtype=self.np.int64), "past_keys": keys, "past_values": values}
        logits, keys, values = self.session.run(None, feed)
        return logits[0, -1], (keys, values)


@dataclass(frozen=True, slots=True)
class Generation:
    raw: str
    tokens: int
    prompt_tokens: int
    first_token_s: float  # prompt processed and first token chosen
    token_s: tuple[float, ...] = field(default=())  # each later token
    reply: Optional[Reply] = None
    error: Optional[CallError] = None


class NanoModel:
    """A loaded model: tokenizer, backend session, grammar tokenizer and the developer-turn cache."""

    def __init__(self, directory: Path, backend: Backend, *, constrained: bool = True, max_new_tokens: int = 128) -> None:
        try:
            import numpy as np
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise NanoError("NANO_EXTRA_MISSING", "the nano model needs tokenizers and numpy: pip install 'dmind-edge[nano]'") from exc
        self.np = np
        self.directory = directory
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.backend = backend
        self.constrained = constrained
        self.max_new_tokens = max_new_tokens
        self.stop_ids = {self.tokenizer.token_to_id(t) for t in STOP_TOKENS} - {None}
        self.prefix = prefix(self.tokenizer)
        self.prefix_cache = backend.run(self.prefix, None)[1]
        self._grammar_tokenizer = None
        if constrained:
            try:
                import llguidance
            except ImportError as exc:
                raise NanoError("NANO_EXTRA_MISSING", "constrained decoding needs llguidance: pip install 'dmind-edge[nano]'") from exc
            text = (directory / "tokenizer.json").read_text(encoding="utf-8")
            self._grammar_tokenizer = llguidance.LLTokenizer(text, eos_token=self.tokenizer.token_to_id(EOS))

    @classmethod
    def load(cls, directory: Optional[Path] = None, *, backend: str = "onnx", threads: Optional[int] = None, **options: Any) -> "NanoModel":
        """Load a model directory (default: the built-in model) on `backend`."""
        directory = Path(directory) if directory is not None else BUILTIN_DIR
        if backend not in MODEL_FILES:
            raise NanoError("NANO_BACKEND_UNKNOWN", f"no backend {backend!r}; the backends are {', '.join(MODEL_FILES)}")
        if directory.is_file():
            model_file, directory = directory, directory.parent
        else:
            model_file = next((directory / n for n in MODEL_FILES[backend] if (directory / n).exists()), None)
        if model_file is None or not (directory / "tokenizer.json").exists():
            raise NanoError("NANO_MODEL_MISSING", f"{directory} has no {' or '.join(MODEL_FILES[backend])} with a tokenizer.json beside it")
        return cls(directory, OnnxBackend(model_file, threads), **options)

    def _matcher(self, messages: Sequence[dict]) -> Any:
        import llguidance

        said = [str(m.get("content") or "") for m in messages if m.get("role") in ("user", "tool")]
        grammar = llguidance.LLMatcher.grammar_from_lark(lark_grammar(addresses_in(said)))
        matcher = llguidance.LLMatcher(self._grammar_tokenizer, grammar, log_level=0)
        if matcher.is_error():
            raise NanoError("NANO_GRAMMAR_INVALID", matcher.get_error())
        return matcher

    def generate(self, messages: Sequence[dict]) -> Generation:
        """The model's next output after `messages` (OpenAI chat form), parsed."""
        np = self.np
        ids, _ = encode(self.tokenizer, messages)
        if ids[:len(self.prefix)] != self.prefix:
            raise NanoError("NANO_PROMPT_INVALID", "the prompt does not open with the developer turn")
        rest = ids[len(self.prefix):]
        matcher = self._matcher(messages) if self.constrained else None
        if matcher is not None:
            import llguidance.numpy as llnp

            mask = llnp.allocate_token_bitmask(1, self._grammar_tokenizer.vocab_size)
        started = time.perf_counter()
        logits, cache = self.backend.run(rest, self.prefix_cache)
        out: list[int] = []
        times: list[float] = []
        while len(out) < self.max_new_tokens:
            if matcher is not None:
                llnp.fill_next_token_bitmask(matcher, mask)
                allowed = np.unpackbits(mask[0].view(np.uint8), bitorder="little")[: logits.shape[-1]].astype(bool)
                logits = np.where(allowed, logits, -np.inf)
            token = int(np.argmax(logits))
            out.append(token)
            times.append(time.perf_counter() - started)
            if matcher is not None and (not matcher.consume_token(token) or matcher.is_stopped()):
                break
            if matcher is None and token in self.stop_ids:
                break
            logits, cache = self.backend.run([token], cache)
        raw = self.tokenizer.decode(out, skip_special_tokens=False)
        steps = tuple(b - a for a, b in zip(times, times[1:]))
        try:
            reply, error = parse_reply(raw), None
        except CallError as exc:
            reply, error = None, exc
        return Generation(raw, len(out), len(rest), times[0] if times else 0.0, steps, reply, error)
