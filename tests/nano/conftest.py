"""A tokenizer trained on generated conversations, for grammar tests that need no shipped model."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tokenizer():
    pytest.importorskip("tokenizers")
    from dmind.export.data.generate import generate
    from dmind.export.tokenizer import train_tokenizer

    return train_tokenizer(generate(600, split="train", seed=7), 1024)
