"""Train the built-in nano model on CPU, deterministically for a given seed.

Every conversation opens with the same developer turn (the tool declarations, about three
quarters of the tokens), so each step runs that prefix once, without gradients, and shares its
key-value cache across the batch: the weights still learn to read it through every other
token, and a step costs a fifth less. Loss is taken only on what the model writes: its calls
and its plain-text replies, with the tokens that decide a call weighted up (`loss_weights`).
Inside an address value only the first token is learned: the decoding grammar limits
addresses to those in the conversation, so the rest of one is forced, and learning to
reproduce random characters only adds noise to every step.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from random import Random
from typing import Any, Callable, Optional

from dmind.edge.nano import CONTROL_TOKENS, END_CALL, ESCAPE, START_CALL, encode, is_address
from dmind.edge.nano import prefix as prefix_ids

from .data.generate import generate, write_jsonl
from .model import BUILTIN, ModelShape, gemma3_config
from .tokenizer import save as save_tokenizer
from .tokenizer import train_tokenizer

IGNORE = -100
NUMBER_PIECES = frozenset("0123456789.")  # digits are split one by one, so a number's tokens are these
VALUE_WEIGHT = 4.0  # loss weight of the tokens that decide a call, against the many format tokens around them


def decision_labels(tokenizer, ids: list[int], written: list[bool]) -> list[int]:
    """Labels for the tokens the model decides: written by it, and not the forced tail of an address."""
    escape = tokenizer.token_to_id(ESCAPE)
    labels = [t if w else IGNORE for t, w in zip(ids, written)]
    opened = None
    for i, token in enumerate(ids):
        if token != escape or not written[i]:
            continue
        if opened is None:
            opened = i
            continue
        if is_address(tokenizer.decode(ids[opened + 1 : i], skip_special_tokens=False)):
            labels[opened + 2 : i] = [IGNORE] * max(0, i - opened - 2)
        opened = None
    return labels


def loss_weights(tokenizer, ids: list[int], labels: list[int], weight: float = VALUE_WEIGHT) -> list[float]:
    """Per-token loss weights: `weight` for the tokens that decide a call, 1 for the format around them.

    The deciding tokens are argument values (strings between `<escape>` pairs, and numbers: what
    the model copies or converts from the user's words), the choices of tool and of each key, the
    `,` or `}` after a value (another key, or stop), and the first token of every reply (a call or
    text). Without the extra weight the many forced format tokens dominate the loss and copying is
    learned last, if at all.
    """
    escape, start, end = (tokenizer.token_to_id(t) for t in (ESCAPE, START_CALL, END_CALL))
    out, in_call, in_string, before = [], False, False, ("", "")
    for i, (token, label) in enumerate(zip(ids, labels)):
        piece = tokenizer.id_to_token(token)
        if token == start:
            in_call = True
        elif token == end:
            in_call = in_string = False
        elif token == escape and in_call:
            in_string = not in_string
        value = in_call and token not in (escape, end) and (in_string or piece in NUMBER_PIECES)
        choice = (
            in_call and not in_string and (before[1] in ("{", ",") or piece in (",", "}") or before == ("call", ":"))
        )
        opens = i == 0 or labels[i - 1] == IGNORE
        out.append(weight if label != IGNORE and (value or choice or opens) else 1.0)
        before = (before[1], piece)
    return out


@dataclass(frozen=True, slots=True)
class TrainConfig:
    seed: int = 0
    conversations: int = 36_000
    test_conversations: int = 400
    vocab_size: int = 2048
    steps: int = 3200
    batch_size: int = 16  # more, smaller updates: 0.5 s a step here against 0.9 s at 32, for the same tokens
    learning_rate: float = 2e-3
    warmup_steps: int = 100
    weight_decay: float = 0.01
    threads: int = 2
    shape: ModelShape = BUILTIN


@dataclass(frozen=True, slots=True)
class Progress:
    step: int
    steps: int
    loss: float
    elapsed_s: float


def _batches(examples: list[tuple[list[int], list[int], list[float]]], batch_size: int, rng: Random) -> list[list[int]]:
    """Indices grouped by length (little padding), in a shuffled order of groups."""
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), rng.random()))
    groups = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(groups)
    return groups


Example = tuple[list[int], list[int], list[float]]  # ids, labels, loss weights


def padded(batch: list[Example], pad: int) -> tuple[Any, Any, Any]:
    """Input ids, labels and weights of `batch` as tensors, right-padded to its longest example."""
    import torch

    width = max(len(ids) for ids, _, _ in batch)
    input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids, _, _ in batch])
    labels = torch.tensor([lab + [IGNORE] * (width - len(lab)) for _, lab, _ in batch])
    weights = torch.tensor([w + [0.0] * (width - len(w)) for _, _, w in batch])
    return input_ids, labels, weights


def share_prefix(cache: Any, rows: int) -> None:
    """One prefix's cache seen by every row (right padding needs no mask under causal attention)."""
    for layer in cache.layers:
        layer.keys = layer.keys.expand(rows, -1, -1, -1)
        layer.values = layer.values.expand(rows, -1, -1, -1)


def start_run(config: Any, out: Path, data_dir: Optional[Path]) -> tuple[Random, list[dict], Path]:
    """Seed torch and the batch order, and write the run's data: its random source, conversations and data folder.

    `config` is any training configuration with `seed`, `threads`, `conversations` and `test_conversations`.
    """
    import torch

    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    out.mkdir(parents=True, exist_ok=True)
    conversations = generate(config.conversations, split="train", seed=config.seed)
    data_dir = data_dir or out / "data"
    write_jsonl(data_dir / "train.jsonl", conversations)
    write_jsonl(data_dir / "test.jsonl", generate(config.test_conversations, split="test", seed=config.seed))
    return Random(config.seed), conversations, data_dir


def _learning_rate(config: TrainConfig, step: int) -> float:
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def train(
    out: Path,
    config: TrainConfig = TrainConfig(),
    on_progress: Optional[Callable[[Progress], None]] = None,
    data_dir: Optional[Path] = None,
) -> dict:
    """Tokenizer and model into `out` (`model.safetensors`, `config.json`, `tokenizer.json`, `train.json`); data into `data_dir`."""
    import torch
    from transformers import Gemma3ForCausalLM
    from transformers.cache_utils import DynamicCache

    started = time.perf_counter()
    rng, conversations, data_dir = start_run(config, out, data_dir)
    tokenizer = train_tokenizer(conversations, config.vocab_size)
    save_tokenizer(tokenizer, out)

    encoded = [encode(tokenizer, conv["messages"], open_next=False) for conv in conversations]
    prefix = prefix_ids(tokenizer)
    examples = []
    for ids, written in encoded:
        if ids[: len(prefix)] != prefix:
            raise RuntimeError("a conversation does not open with the shared developer turn")
        rest = ids[len(prefix) :]
        labels = decision_labels(tokenizer, rest, written[len(prefix) :])
        examples.append((rest, labels, loss_weights(tokenizer, rest, labels)))

    special = {token: tokenizer.token_to_id(token) for token in CONTROL_TOKENS}
    model_config = gemma3_config(config.shape, tokenizer.get_vocab_size(), special)
    model_config._attn_implementation = "sdpa"
    model = Gemma3ForCausalLM(model_config)
    model.train()
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=config.learning_rate,
        betas=(0.9, 0.98),
    )
    prefix_tensor = torch.tensor([prefix])
    pad = special["<pad>"]
    losses: list[float] = []
    batches: list[list[int]] = []
    for step in range(config.steps):
        if not batches:
            batches = _batches(examples, config.batch_size, rng)
        batch = [examples[i] for i in batches.pop()]
        input_ids, labels, weights = padded(batch, pad)
        for group in optimizer.param_groups:
            group["lr"] = _learning_rate(config, step)
        with torch.no_grad():  # the prefix is the same every step: its keys and values are read, not trained through
            cache = model(prefix_tensor, past_key_values=DynamicCache(), use_cache=True).past_key_values
        share_prefix(cache, len(batch))
        logits = model(input_ids, past_key_values=cache).logits[:, :-1]
        targets, weight = labels[:, 1:], weights[:, 1:] * (labels[:, 1:] != IGNORE)
        token_loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE, reduction="none"
        )
        loss = (token_loss * weight.reshape(-1)).sum() / weight.sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if on_progress:
            on_progress(
                Progress(step + 1, config.steps, sum(losses[-20:]) / len(losses[-20:]), time.perf_counter() - started)
            )

    model.eval()
    model.save_pretrained(out, safe_serialization=True)
    report = {
        "config": asdict(config),
        "parameters": sum(p.numel() for p in model.parameters()),
        "prefix_tokens": len(prefix),
        "final_loss": sum(losses[-50:]) / len(losses[-50:]),
        "loss_every_50": [
            round(sum(losses[i : i + 50]) / len(losses[i : i + 50]), 4) for i in range(0, len(losses), 50)
        ],
        "train_seconds": round(time.perf_counter() - started, 1),
        "torch": torch.__version__,
    }
    (out / "train.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
