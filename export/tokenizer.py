"""A byte-level BPE tokenizer for the built-in model, trained with Hugging Face `tokenizers`.

FunctionGemma's control tokens are special tokens (one id each, never split); digits are
split one by one, as in Gemma's own tokenizer, so numbers are copied digit by digit, and so are
Chinese numerals (五百 is 五 and 百, never merged with the words around them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from dmind.edge.nano import CONTROL_TOKENS, segments
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

CHINESE_NUMERALS = "[零一二两三四五六七八九十百千万亿]"


def corpus(conversations: Iterable[dict]) -> Iterable[str]:
    """Every text the model reads or writes, as it appears in prompts."""
    for conv in conversations:
        for text, _ in segments(conv["messages"], open_next=False):
            yield text


def train_tokenizer(conversations: list[dict], vocab_size: int) -> Tokenizer:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.Split(Regex(CHINESE_NUMERALS), "isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(CONTROL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus(conversations), trainer=trainer)
    return tokenizer


def save(tokenizer: Tokenizer, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "tokenizer.json"
    tokenizer.save(str(path))
    return path
