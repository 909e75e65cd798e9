"""The decoding loop's choices, driven by a scripted language model whose next-token odds are fixed in the test."""

from __future__ import annotations

import math

import pytest
from dmind.edge.nano.protocol import END_TURN, START_CALL

np = pytest.importorskip("numpy")
pytest.importorskip("llguidance")

ADDRESS = "0x6982508145454Ce325dDbE47a25d4ec3d2311933"


class ScriptedModel:
    """A backend whose odds depend only on the last token: a call is likelier than text, and a swap likelier than a search."""

    threads = 1

    def __init__(self, tokenizer, path):
        self.path = path
        self.vocab = tokenizer.get_vocab_size()
        ids = {name: tokenizer.token_to_id(name) for name in (START_CALL, END_TURN, "call", ":", "EXECUTE", "SEARCH")}
        assert None not in ids.values(), ids
        self.ids = ids

    def _odds(self, favoured: dict[int, float]) -> np.ndarray:
        rest = (1 - sum(favoured.values())) / (self.vocab - len(favoured))
        logits = np.full(self.vocab, math.log(rest), dtype=np.float32)
        for token, p in favoured.items():
            logits[token] = math.log(p)
        return logits

    def run(self, ids, cache):
        i, last = self.ids, ids[-1]
        if len(ids) > 1:  # a prompt: open a call with 0.6, text gets the rest
            return self._odds({i[START_CALL]: 0.6}), cache
        script = {
            i[START_CALL]: {i["call"]: 0.99},
            i["call"]: {i[":"]: 0.99},
            i[":"]: {i["EXECUTE"]: 0.9, i["SEARCH"]: 0.05},
        }
        return self._odds(script.get(last, {i[END_TURN]: 0.5})), cache

    def signature(self):
        return {}


@pytest.fixture
def model(tokenizer, tmp_path):
    from dmind.edge.nano.runtime import NanoModel

    tokenizer.save(str(tmp_path / "tokenizer.json"))
    return NanoModel(tmp_path, ScriptedModel(tokenizer, tmp_path))


def test_a_call_the_grounding_rules_out_gives_way_to_text(model):
    # No amount was said, so no swap can be written; token by token the model would open a call and be forced into a search.
    generation = model.generate([{"role": "user", "content": f"swap sol for {ADDRESS}"}])
    assert generation.reply is not None and generation.reply.call is None, generation.raw


def test_a_grounded_call_is_written(model):
    generation = model.generate([{"role": "user", "content": f"swap 2 sol for {ADDRESS}"}])
    assert generation.reply.call is not None and generation.reply.call.name == "EXECUTE_SWAP", generation.raw
    assert generation.reply.call.arguments.get("inputTokenAmount", 2) == 2
