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


class CountingModel(ScriptedModel):
    """The scripted model, counting forward passes and the tokens each one reads."""

    def __init__(self, tokenizer, path):
        super().__init__(tokenizer, path)
        self.passes: list[int] = []

    def run(self, ids, cache):
        self.passes.append(len(ids))
        return super().run(ids[-1:] if len(self.passes) > 1 else ids, cache)


@pytest.mark.parametrize(
    "words", [f"swap 2 sol for {ADDRESS}", "sell 1.5k bonk", f"what is {ADDRESS}", "swap sol for usdc"]
)
def test_forced_tokens_fast_forward_in_one_pass_and_change_nothing(tokenizer, tmp_path, words):
    from dmind.edge.nano.runtime import NanoModel

    tokenizer.save(str(tmp_path / "tokenizer.json"))
    outputs = {}
    for fast in (True, False):
        backend = CountingModel(tokenizer, tmp_path)
        model = NanoModel(tmp_path, backend, fast_forward=fast)
        backend.passes.clear()  # the developer turn's pass at load
        generation = model.generate([{"role": "user", "content": words}])
        assert generation.forward_passes == len(backend.passes)
        outputs[fast] = generation, backend.passes
    (fast, fast_passes), (slow, slow_passes) = outputs[True], outputs[False]
    assert fast.raw == slow.raw  # the same bytes: the grammar forced them either way
    if fast.reply is not None and fast.reply.call is not None:  # a call has forced syntax to skip
        assert fast.forward_passes < slow.forward_passes and max(fast_passes[1:]) > 1
    assert all(n == 1 for n in slow_passes[1:])
