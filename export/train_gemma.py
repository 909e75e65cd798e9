"""Fine-tune Gemma 3 270M to the nano protocol on CPU: LoRA on every projection, plus the control-token rows.

The base comes from its package (`edge/nano/gemma/base.py`), dequantized by transformers'
GGUF loader. What is trained, and shipped, is small: rank-`lora_rank` adapters on the
attention and MLP projections of all 18 layers, and the seven embedding rows the control
tokens took (the embedding is tied to the output layer, so those rows are both). As in the
miniature's recipe (`train.py`), the shared developer turn is run once a step without
gradients, loss is taken on what the model writes with the deciding tokens weighted up, and
the softmax runs over the token ids the data uses (a few thousand of 262,144): the full head
would cost more than the rest of a step. Deterministic for a seed on a given torch build and
thread count.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from dmind.edge.nano import (
    ADAPTER_FILE,
    CONFIG_FILE,
    CONTROL_IDS,
    PROJECTIONS,
    AdapterConfig,
    base_weights,
    encode,
    sha256_of,
    with_control_tokens,
)
from dmind.edge.nano import prefix as prefix_ids

from .train import IGNORE, Progress, _batches, decision_labels, loss_weights, padded, share_prefix, start_run

CI_SAMPLE = 12  # test-split conversations CI evaluates the default model on


@dataclass(frozen=True, slots=True)
class GemmaTrainConfig:
    seed: int = 0
    conversations: int = 12_000
    test_conversations: int = 400
    steps: int = 900
    batch_size: int = 8
    learning_rate: float = 3e-4
    warmup_steps: int = 30
    lora_rank: int = 16
    lora_alpha: int = 32
    threads: int = 2
    negatives: int = 32_768  # other token ids drawn into each step's softmax, so that none of them drifts up


def _learning_rate(config: GemmaTrainConfig, step: int) -> float:
    """Linear warm-up, then linear decay to a tenth."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    left = 1 - (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    return config.learning_rate * (0.1 + 0.9 * left)


def load_base(cache: Path) -> tuple[Any, Any]:
    """Gemma 3 270M in float32 and its tokenizer with the control tokens, both from the verified GGUF."""
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = base_weights(cache)
    converted = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name).backend_tokenizer
    tokenizer = Tokenizer.from_str(json.dumps(with_control_tokens(json.loads(converted.to_str()))))
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    return model, tokenizer


def train_gemma(
    out: Path,
    cache: Path,
    config: GemmaTrainConfig = GemmaTrainConfig(),
    on_progress: Optional[Callable[[Progress], None]] = None,
    save_every: int = 100,
    data_dir: Optional[Path] = None,
) -> dict:
    """The adapter into `out` (`adapter.safetensors`, `adapter.json`, `train.json`), saved every `save_every` steps.

    The generated data goes to `data_dir` (default `out/data`): `train.jsonl` and the held-out `test.jsonl`.
    """
    import torch
    from peft import LoraConfig, get_peft_model
    from safetensors.torch import save_file
    from transformers.cache_utils import DynamicCache

    started = time.perf_counter()
    rng, conversations, data_dir = start_run(config, out, data_dir)
    data_sha256 = sha256_of(data_dir / "train.jsonl")

    base, tokenizer = load_base(cache)
    control = [tokenizer.token_to_id(token) for token in CONTROL_IDS]
    prefix = prefix_ids(tokenizer)
    examples = []
    for conv in conversations:
        ids, written = encode(tokenizer, conv["messages"], open_next=False)
        if ids[: len(prefix)] != prefix:
            raise RuntimeError("a conversation does not open with the shared developer turn")
        rest = ids[len(prefix) :]
        labels = decision_labels(tokenizer, rest, written[len(prefix) :])
        examples.append((rest, labels, loss_weights(tokenizer, rest, labels)))

    # The softmax's vocabulary: every id the data uses and the control tokens, plus `negatives` others drawn afresh
    # each step. Without the draw the ids the data never shows are never pushed down, and a few hundred of them
    # drift up together until plain text outweighs a call.
    used = sorted({t for rest, _, _ in examples for t in rest} | set(prefix) | set(control))
    vocab = base.config.vocab_size
    unused = torch.ones(vocab, dtype=torch.bool)
    unused[torch.tensor(used)] = False
    others = torch.nonzero(unused).flatten()
    sampler = torch.Generator().manual_seed(config.seed)

    lora = LoraConfig(r=config.lora_rank, lora_alpha=config.lora_alpha, target_modules=list(PROJECTIONS), bias="none")
    model = get_peft_model(base, lora)
    inner = model.get_base_model().model  # Gemma3TextModel, with the adapters in its projections
    embedding = inner.embed_tokens
    weight = embedding.weight  # frozen; the control rows are trained on their own
    rows = torch.nn.Parameter(weight[control].detach().clone())
    is_control = torch.zeros(base.config.vocab_size, dtype=torch.bool)
    is_control[control] = True
    row_of = torch.zeros(base.config.vocab_size, dtype=torch.long)
    row_of[torch.tensor(control)] = torch.arange(len(control))
    scale = embedding.embed_scale

    def embed(ids: torch.Tensor) -> torch.Tensor:
        plain = torch.nn.functional.embedding(ids, weight)
        return torch.where(is_control[ids][..., None], rows[row_of[ids]], plain) * scale

    used_ids = torch.tensor(used)

    trainable = [p for p in model.parameters() if p.requires_grad] + [rows]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, betas=(0.9, 0.99), weight_decay=0.0)
    prefix_tensor = torch.tensor([prefix])
    pad = tokenizer.token_to_id("<pad>")
    losses: list[float] = []
    batches: list[list[int]] = []

    def save(step: int) -> None:
        # float16: half the size to ship, and far below what int8 inference resolves
        tensors = {"control_rows": rows.detach().to(torch.float16).contiguous()}
        for name, param in model.named_parameters():
            if "lora_" in name:
                tensors[AdapterConfig.tensor_name(name)] = param.detach().to(torch.float16).contiguous()
        save_file(tensors, str(out / ADAPTER_FILE))
        adapter = AdapterConfig(
            rank=config.lora_rank,
            alpha=config.lora_alpha,
            control_tokens=tuple(CONTROL_IDS),
            control_ids=tuple(control),
        )
        (out / CONFIG_FILE).write_text(json.dumps(asdict(adapter), indent=2) + "\n")
        report = {
            "config": asdict(config),
            "steps_done": step,
            "trainable_parameters": sum(p.numel() for p in trainable),
            "prefix_tokens": len(prefix),
            "softmax_ids": len(used) + config.negatives,
            "final_loss": sum(losses[-50:]) / max(1, len(losses[-50:])),
            "loss_every_50": [
                round(sum(losses[i : i + 50]) / len(losses[i : i + 50]), 4) for i in range(0, len(losses), 50)
            ],
            "train_seconds": round(time.perf_counter() - started, 1),
            "data_sha256": data_sha256,
            "torch": torch.__version__,
        }
        (out / "train.json").write_text(json.dumps(report, indent=2) + "\n")

    model.train()
    for step in range(config.steps):
        if not batches:
            batches = _batches(examples, config.batch_size, rng)
        batch = [examples[i] for i in batches.pop()]
        input_ids, labels, weights = padded(batch, pad)
        for group in optimizer.param_groups:
            group["lr"] = _learning_rate(config, step)
        with torch.no_grad():  # the developer turn: read through its keys and values, not trained through
            cache = inner(inputs_embeds=embed(prefix_tensor), past_key_values=DynamicCache(), use_cache=True)
            cache = cache.past_key_values
        share_prefix(cache, len(batch))
        hidden = inner(inputs_embeds=embed(input_ids), past_key_values=cache).last_hidden_state[:, :-1]
        targets = labels[:, 1:]
        scored = targets != IGNORE  # the head runs only where there is a loss
        drawn = others[torch.randperm(len(others), generator=sampler)[: config.negatives]]
        head_ids = torch.cat([used_ids, drawn])
        position = torch.full((vocab,), -1, dtype=torch.long)
        position[head_ids] = torch.arange(len(head_ids))
        head = torch.where(is_control[head_ids][:, None], rows[row_of[head_ids]], weight[head_ids])
        logits = hidden[scored] @ head.T
        token_loss = torch.nn.functional.cross_entropy(logits, position[targets[scored]], reduction="none")
        loss = (token_loss * weights[:, 1:][scored]).sum() / weights[:, 1:][scored].sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if on_progress:
            window = losses[-20:]
            on_progress(Progress(step + 1, config.steps, sum(window) / len(window), time.perf_counter() - started))
        if (step + 1) % save_every == 0 or step + 1 == config.steps:
            save(step + 1)
    return json.loads((out / "train.json").read_text())


SCORER = "score.py"  # the dev set's scorer, beside it in ../shared/nano-dev/
SCORER_METRICS = {"function": "function_recognition", "arguments": "argument_extraction",
                  "protocol": "protocol_adherence", "multi": "multi_turn_success"}  # fmt: skip


def scored(dev_set: Path, predictions: Path) -> dict[str, dict[str, float]]:
    """The dev set's own scorer run on `predictions`: the four metrics per language, as the card's other tables."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        tallies_file = Path(scratch) / "tallies.json"
        command = [sys.executable, str(dev_set.parent / SCORER), str(dev_set), str(predictions), "--json"]
        subprocess.run([*command, str(tallies_file)], check=True, capture_output=True)
        tallies = json.loads(tallies_file.read_text())["tallies"]
    rows: dict[str, dict[str, float]] = {}
    for key, (hits, total) in tallies.items():
        metric, group = key.split("|", 1)
        if metric in SCORER_METRICS and not group.startswith("tag:"):
            rows.setdefault(group, {"turns": 0})[SCORER_METRICS[metric]] = hits / total if total else float("nan")
            if metric == "function":
                rows[group]["turns"] = total
    return {group: {**{m: float("nan") for m in SCORER_METRICS.values()}, **row} for group, row in rows.items()}


def package_adapter(
    out: Path,
    test_split: Path,
    *,
    dev_set: Optional[Path] = None,
    eval_conversations: Optional[int] = None,
    dev_predictions: Optional[Path] = None,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> dict:
    """Build the model of the adapter in `out` (as `nano build` does), evaluate it, and write the card beside it."""
    from dmind.edge.nano import NanoModel, build_model, predict, read_conversations, report, write_predictions

    from .adapter_card import write_adapter_card

    on_stage("building the int8 model")
    built = build_model(out)
    model = NanoModel.load(built.directory)
    evaluations = {}
    sets = [("Held-out test split (frames never seen in training), int8 ONNX", test_split, eval_conversations)]
    if dev_set is not None:
        sets.append((f"Hand-written dev set ({dev_set.name}, evaluation only), int8 ONNX", dev_set, None))
    ci_sample: dict = {}
    for title, path, limit in sets:
        on_stage(f"evaluating on {path.name}")
        conversations = read_conversations(path)[:limit]
        predictions = predict(model, conversations)
        evaluations[title] = report(conversations, predictions)
        if path == dev_set and dev_predictions is not None:  # for ../shared/nano-dev/score.py
            dev_predictions.parent.mkdir(parents=True, exist_ok=True)
            write_predictions(dev_predictions, predictions)
        if not ci_sample:  # the test split's first conversations: re-measured by the tests on every CI run
            sample = conversations[:CI_SAMPLE]
            ids = {c["id"] for c in sample}
            ci_sample = {"conversations": len(sample), **report(sample, [p for p in predictions if p["id"] in ids])}
    if dev_set is not None and dev_predictions is not None and (dev_set.parent / SCORER).exists():
        evaluations[f"Hand-written dev set, scored by its own {SCORER} (alternative answers accepted)"] = scored(
            dev_set, dev_predictions
        )
    train_report = json.loads((out / "train.json").read_text())
    extra = {"model_dir_name": built.directory.name, "metrics_ci_sample": ci_sample}
    return write_adapter_card(out, train_report, evaluations, extra)
