"""Structured behaviour (the paper's Table 2): the four intent metrics of the nano model, per runtime artifact."""

from __future__ import annotations

from typing import Callable

from dmind.edge.nano import NanoModel, predict, report
from dmind.export.data.generate import generate

from .runtimes import Artifact


def run_structured(
    artifacts: list[Artifact], conversations: int, progress: Callable[[int, int], None] = lambda done, total: None
) -> dict:
    """Metrics overall and per language on the first `conversations` of the held-out test split, for each artifact."""
    sample = generate(conversations, split="test", seed=1)
    rows = {}
    for n, artifact in enumerate(artifacts, 1):
        try:
            model = NanoModel.load(artifact.path, backend=artifact.backend)
            rows[artifact.label] = report(sample, predict(model, sample))
        except Exception as exc:  # one runtime that cannot run must not hide the others
            rows[artifact.label] = {"error": f"{type(exc).__name__}: {exc}"}
        progress(n, len(artifacts))
    return {"conversations": conversations, "runtimes": rows}
