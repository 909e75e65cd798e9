"""Run a nano model: greedy decoding under the grammar, with a key-value cache, on a pluggable backend.

The model is loaded once (`NanoModel.load`) and reused. The developer turn every prompt opens
with is run once at load and its cache kept, so a request only pays for its own tokens. At 270M
parameters a turn costs what its forward passes cost, so the tokens the grammar forces (syntax,
a key with one possible value, the rest of a grounded address once its first tokens pick it)
are appended together in one pass rather than one pass each (`fast_forward`).
Backends take ids and a cache and return the last position's logits and the grown cache;
the decoding loop, the grammar and the stop rules are shared by all of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Protocol, Sequence

from .errors import NanoError
from .grammar import lark_grammar
from .grounding import Grounds, grounds_in
from .protocol import END_CALL, END_TURN, EOS, START_CALL, START_RESPONSE
from .reply import Reply, parse_reply
from .tokens import encode, prefix
from .tools import CallError

# The miniature: a 3.6M-parameter model trained from scratch, which CI trains end to end in a minute. The default
# model is Gemma 3 270M with the shipped adapter, built on first use (`gemma.build`).
MINIATURE_DIR = Path(__file__).parent / "builtin"
STOP_TOKENS = (END_TURN, START_RESPONSE, EOS, END_CALL)


class Backend(Protocol):
    path: Path
    threads: int  # the runtime's thread count, as set

    def run(self, ids: Sequence[int], cache: Any) -> tuple[Any, Any]:
        """Logits of the last position after `ids`, and the cache grown by them (cache None: empty)."""

    def signature(self) -> dict[str, Any]:
        """The model file's inputs and outputs as its runtime reports them (for export manifests)."""


@dataclass(frozen=True, slots=True)
class BackendSpec:
    """Where a backend lives and which model files it serves, in order of preference."""

    module: str
    cls: str
    files: tuple[str, ...]


BACKENDS: dict[str, BackendSpec] = {
    "onnx": BackendSpec("onnx_backend", "OnnxBackend", ("model.int8.onnx", "model.onnx")),
    "litert": BackendSpec("litert_backend", "LiteRtBackend", ("model.int8.tflite", "model.tflite")),
    "executorch": BackendSpec("executorch_backend", "ExecuTorchBackend", ("model.int8.pte", "model.pte")),
}


def open_backend(name: str, model_file: Path, threads: Optional[int] = None) -> Backend:
    """The backend `name` over `model_file` (imported only when asked for, so each runtime stays optional)."""
    from importlib import import_module

    spec = BACKENDS[name]
    return getattr(import_module(f"{__package__}.{spec.module}"), spec.cls)(model_file, threads)


@dataclass(frozen=True, slots=True)
class Generation:
    raw: str
    tokens: int
    prompt_tokens: int
    first_token_s: float  # prompt processed and first token chosen
    token_s: tuple[float, ...] = field(default=())  # each later token
    reply: Optional[Reply] = None
    error: Optional[CallError] = None
    forward_passes: int = 0  # the prompt's pass included
    total_s: float = 0.0  # from the user's message to the complete call or answer


def _softmax(np: Any, logits: Any) -> Any:
    shifted = np.exp(logits - logits.max())
    return shifted / shifted.sum()


class NanoModel:
    """A loaded model: tokenizer, backend session, grammar tokenizer and the developer-turn cache."""

    def __init__(
        self,
        directory: Path,
        backend: Backend,
        *,
        constrained: bool = True,
        grounded: bool = True,
        fast_forward: bool = True,
        max_new_tokens: int = 128,
    ) -> None:
        try:
            import numpy as np
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise NanoError(
                "NANO_EXTRA_MISSING", "the nano model needs tokenizers and numpy: pip install 'dmind-edge[nano]'"
            ) from exc
        self.np = np
        self.directory = directory
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.backend = backend
        self.constrained = constrained
        self.grounded = (
            grounded  # False: only addresses grounded, openings token by token (to measure what grounding adds)
        )
        self.fast_forward = fast_forward and constrained  # False: one pass per token, forced or not (to measure it)
        self.max_new_tokens = max_new_tokens
        self.stop_ids = {self.tokenizer.token_to_id(t) for t in STOP_TOKENS} - {None}
        self.prefix = prefix(self.tokenizer)
        self.prefix_cache = backend.run(self.prefix, None)[1]
        self._grammar_tokenizer: Any = None  # llguidance.LLTokenizer when constrained
        if constrained:
            try:
                import llguidance
            except ImportError as exc:
                raise NanoError(
                    "NANO_EXTRA_MISSING", "constrained decoding needs llguidance: pip install 'dmind-edge[nano]'"
                ) from exc
            import llguidance.numpy as llnp

            text = (directory / "tokenizer.json").read_text(encoding="utf-8")
            self._grammar_tokenizer = llguidance.LLTokenizer(text, eos_token=self.tokenizer.token_to_id(EOS))
            self._llnp = llnp  # filled in on every decoding step: imported once, here
            self._mask = llnp.allocate_token_bitmask(1, self._grammar_tokenizer.vocab_size)
        start_call = self.tokenizer.token_to_id(START_CALL)
        if start_call is None:
            raise NanoError("NANO_MODEL_INVALID", f"the tokenizer has no {START_CALL} token: not a FunctionGemma model")
        self.start_call: int = start_call

    @classmethod
    def load(
        cls,
        directory: Optional[Path] = None,
        *,
        backend: str = "onnx",
        threads: Optional[int] = None,
        on_progress: Optional[Callable[[str, int, int], None]] = None,
        **options: Any,
    ) -> "NanoModel":
        """Load a model directory on `backend`; by default the Gemma model, built first where it is not yet."""
        if directory is None:
            if backend != "onnx":
                raise NanoError(
                    "NANO_BACKEND_UNKNOWN", f"the default model is built for onnx; give --model for {backend}"
                )
            from .gemma.build import build_model

            directory = build_model(on_progress=on_progress).directory
        directory = Path(directory)
        model_file: Optional[Path]
        if backend not in BACKENDS:
            raise NanoError("NANO_BACKEND_UNKNOWN", f"no backend {backend!r}; the backends are {', '.join(BACKENDS)}")
        files = BACKENDS[backend].files
        if directory.is_file():
            model_file, directory = directory, directory.parent
        else:
            model_file = next((directory / n for n in files if (directory / n).exists()), None)
        if model_file is None or not (directory / "tokenizer.json").exists():
            raise NanoError(
                "NANO_MODEL_MISSING", f"{directory} has no {' or '.join(files)} with a tokenizer.json beside it"
            )
        return cls(directory, open_backend(backend, model_file, threads), **options)

    def _matcher(self, messages: Sequence[dict]) -> Any:
        import llguidance

        grounds = grounds_in(messages)
        grounds = grounds if self.grounded else Grounds(addresses=grounds.addresses)
        grammar = llguidance.LLMatcher.grammar_from_lark(lark_grammar(grounds))
        matcher = llguidance.LLMatcher(self._grammar_tokenizer, grammar, log_level=0)
        if matcher.is_error():
            raise NanoError("NANO_GRAMMAR_INVALID", matcher.get_error())
        return matcher

    def _allowed(self, matcher: Any, width: int) -> Any:
        """The grammar's mask of next tokens, as booleans over the model's vocabulary."""
        self._llnp.fill_next_token_bitmask(matcher, self._mask)
        return self.np.unpackbits(self._mask[0].view(self.np.uint8), bitorder="little")[:width].astype(bool)

    def _call_or_text(self, matcher: Any, logits: Any, cache: Any) -> tuple[Any, Any, list[int], int]:
        """Open the reply by weighing a whole call against text, where the grammar allows both.

        Token by token, a model that means a call the grounding rules out (a swap of an amount
        nobody named) would open a call and then be forced into another tool. So the opening is
        chosen by the model's probability of a call to a tool the grammar allows, against that of
        text: the call's forced tokens are walked until its first free choice, or until its tool is
        settled, then weighed. What the grammar forces once the tool is settled (the one grounded
        address, copied) is no choice of the model's, so it does not count against the call.
        Returns the logits and cache to go on from, the tokens already chosen (and consumed) and
        the forward passes spent.
        """
        np = self.np
        allowed = self._allowed(matcher, logits.shape[-1])
        if not allowed[self.start_call] or allowed.sum() == 1:
            return logits, cache, [], 0
        probs = _softmax(np, logits)
        text = probs[allowed].sum() - probs[self.start_call]
        probe, walked, mass = matcher.deep_copy(), [self.start_call], probs[self.start_call]
        probe.consume_token(self.start_call)
        step_logits, step_cache = self.backend.run(walked, cache)
        passes = 1
        while mass >= text:
            ok = self._allowed(probe, step_logits.shape[-1])
            step = _softmax(np, step_logits)
            if ok.sum() != 1 or "{" in self.tokenizer.decode(walked[1:], skip_special_tokens=False):
                mass *= step[ok].sum()
                break
            token = int(np.flatnonzero(ok)[0])
            mass *= step[token]
            probe.consume_token(token)
            walked.append(token)
            step_logits, step_cache = self.backend.run([token], step_cache)
            passes += 1
        if mass >= text:
            matcher.consume_tokens(walked)
            return step_logits, step_cache, walked, passes
        logits = logits.copy()
        logits[self.start_call] = -np.inf
        return logits, cache, [], passes

    def generate(self, messages: Sequence[dict]) -> Generation:
        """The model's next output after `messages` (OpenAI chat form), parsed."""
        np = self.np
        ids, _ = encode(self.tokenizer, messages)
        if ids[: len(self.prefix)] != self.prefix:
            raise NanoError("NANO_PROMPT_INVALID", "the prompt does not open with the developer turn")
        rest = ids[len(self.prefix) :]
        matcher = self._matcher(messages) if self.constrained else None
        started = time.perf_counter()
        logits, cache = self.backend.run(rest, self.prefix_cache)
        passes = 1
        out: list[int] = []
        if matcher is not None and self.grounded:
            logits, cache, out, walked = self._call_or_text(matcher, logits, cache)
            passes += walked
        times: list[float] = [time.perf_counter() - started] if out else []  # a walked opening is all first-token time
        while len(out) < self.max_new_tokens:
            if matcher is not None:
                logits = np.where(self._allowed(matcher, logits.shape[-1]), logits, -np.inf)
            step = [int(np.argmax(logits))]
            if matcher is not None:
                if not matcher.consume_token(step[0]) or matcher.is_stopped():
                    out.append(step[0])
                    times.append(time.perf_counter() - started)
                    break
                step += self._forced(matcher, self.max_new_tokens - len(out) - 1)
            out += step
            times += [time.perf_counter() - started] * len(step)
            if matcher is not None and matcher.is_stopped() or matcher is None and step[0] in self.stop_ids:
                break
            logits, cache = self.backend.run(step, cache)
            passes += 1
        total_s = time.perf_counter() - started
        raw = self.tokenizer.decode(out, skip_special_tokens=False)
        steps = tuple(b - a for a, b in zip(times, times[1:]))
        try:
            reply, error = parse_reply(raw), None
        except CallError as exc:
            reply, error = None, exc
        return Generation(raw, len(out), len(rest), times[0] if times else 0.0, steps, reply, error, passes, total_s)

    def _forced(self, matcher: Any, room: int) -> list[int]:
        """The tokens the grammar forces next, consumed; none where fast-forward is off."""
        if not self.fast_forward or room <= 0:
            return []
        forced = list(matcher.compute_ff_tokens())[:room]
        if forced and matcher.try_consume_tokens(forced) != len(forced):
            raise NanoError("NANO_GRAMMAR_INVALID", "the grammar refused the tokens it forced")
        return forced
