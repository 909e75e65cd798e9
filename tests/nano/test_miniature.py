"""The shipped miniature (the from-scratch model the export pipeline and its benches measure): files as its card says."""

from __future__ import annotations

import json

from dmind.edge.nano.runtime import MINIATURE_DIR
from dmind.export.card import sha256


def test_shipped_miniature_files_match_its_card():
    card = json.loads((MINIATURE_DIR / "card.json").read_text())
    for name, info in card["files"].items():
        assert (MINIATURE_DIR / name).stat().st_size == info["bytes"]
        assert sha256(MINIATURE_DIR / name) == info["sha256"], name
