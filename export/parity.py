"""Parity of an exported model with the eager PyTorch checkpoint it came from.

The eager model decodes each prompt greedily; the artifact is then teacher-forced on exactly
those tokens through the runtime backend that serves it (`dmind.edge.nano` backends). One pass
gives every figure: top-1 agreement and the largest logit difference at each step, and the
greedy agreement, because the artifact's own greedy continuation equals the eager one up to
the first step whose top-1 differs. Prompts run past the sliding window, where a runtime that
mishandles local attention (or a converter that mis-compiles grouped-query attention) shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from random import Random
from typing import Any, Callable, Optional, Sequence

PROMPTS = 4
NEW_TOKENS = 24
# A float32 artifact must decode exactly as eager and stay this close in logits, relative to the largest eager logit
# (at least 1): float32 drift grows with the logits' size. Measured: ONNX and LiteRT 2e-6 to 4e-6 of it, ExecuTorch's
# XNNPACK kernels 5e-4 on the real model (0.047 of logits up to 95); a runtime attending past the sliding window
# was off by 2.5, litert_torch.convert's grouped-query attention by 0.9.
FP32_LOGIT_TOLERANCE = 1e-3


@dataclass(frozen=True, slots=True)
class Reference:
    prompt: tuple[int, ...]
    greedy: tuple[int, ...]  # the eager model's greedy continuation
    logits: tuple[Any, ...]  # eager logits before each of those tokens (numpy float32 vectors)


@dataclass(frozen=True, slots=True)
class Parity:
    prompts: int
    prompt_tokens: tuple[int, int]  # shortest and longest prompt
    new_tokens: int
    greedy_exact: float  # share of prompts whose greedy continuation is identical
    greedy_token_agreement: float  # mean share of each continuation identical before the first divergence
    top1_agreement: float  # share of teacher-forced steps with the same top-1 token
    max_logit_diff: float
    logit_scale: float  # the largest |logit| eager produced: what the drift is relative to

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def tolerance(self) -> float:
        """The largest logit difference a float32 artifact may show: FP32_LOGIT_TOLERANCE of the logits' scale."""
        return FP32_LOGIT_TOLERANCE * max(1.0, self.logit_scale)

    @property
    def float32_ok(self) -> bool:
        """What a float32 artifact must show: identical greedy decoding, logits within `tolerance`."""
        return self.greedy_exact == 1.0 and self.max_logit_diff <= self.tolerance


def parity_prompts(directory: Path, config: Any, count: int = PROMPTS, seed: int = 0) -> list[list[int]]:
    """Fixed prompts longer than the sliding window: test-split conversations when the checkpoint has our tokenizer, else random ids."""
    window = getattr(config, "sliding_window", None) or 128
    tokenizer_file = directory / "tokenizer.json"
    if tokenizer_file.exists():
        from dmind.edge.nano import encode
        from tokenizers import Tokenizer

        from .data.generate import generate

        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        prompts = [encode(tokenizer, conv["messages"])[0] for conv in generate(count * 4, split="test", seed=seed)]
        long_enough = [p for p in prompts if len(p) > window] or prompts
        return sorted(long_enough, key=len, reverse=True)[:count]
    rng = Random(seed)
    return [[rng.randrange(3, config.vocab_size) for _ in range(window + 64 + 16 * i)] for i in range(count)]


def eager_reference(model: Any, prompts: Sequence[Sequence[int]], new_tokens: int = NEW_TOKENS) -> list[Reference]:
    """Greedy continuations of the eager model, with its logits before each token."""
    import torch
    from transformers.cache_utils import DynamicCache

    references = []
    with torch.no_grad():
        for prompt in prompts:
            out = model(torch.tensor([list(prompt)]), past_key_values=DynamicCache(), use_cache=True)
            tokens, logits = [], []
            for _ in range(new_tokens):
                last = out.logits[0, -1].float()
                logits.append(last.numpy().copy())
                tokens.append(int(last.argmax()))
                out = model(torch.tensor([[tokens[-1]]]), past_key_values=out.past_key_values, use_cache=True)
            references.append(Reference(tuple(prompt), tuple(tokens), tuple(logits)))
    return references


def compare(backend: Any, references: Sequence[Reference], on_prompt: Optional[Callable[[int], None]] = None) -> Parity:
    """Teacher-force `backend` (a nano runtime backend: `run(ids, cache) -> (last logits, cache)`) on the references."""
    import numpy as np

    exact, agreement, top1, worst = [], [], [], 0.0
    for n, ref in enumerate(references, 1):
        logits, cache = backend.run(list(ref.prompt), None)
        same = []
        for i, token in enumerate(ref.greedy):
            logits = np.asarray(logits, dtype=np.float32)
            worst = max(worst, float(np.max(np.abs(logits - ref.logits[i]))))
            same.append(int(np.argmax(logits)) == token)
            if i + 1 < len(ref.greedy):
                logits, cache = backend.run([token], cache)
        first_divergence = same.index(False) if False in same else len(same)
        exact.append(first_divergence == len(same))
        agreement.append(first_divergence / len(same))
        top1.extend(same)
        if on_prompt:
            on_prompt(n)
    lengths = [len(r.prompt) for r in references]
    return Parity(
        len(references),
        (min(lengths), max(lengths)),
        len(references[0].greedy),
        sum(exact) / len(exact),
        sum(agreement) / len(agreement),
        sum(top1) / len(top1),
        worst,
        max(float(np.max(np.abs(logits))) for ref in references for logits in ref.logits),
    )
