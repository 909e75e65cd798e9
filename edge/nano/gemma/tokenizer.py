"""Gemma 3's tokenizer with FunctionGemma's control tokens on unused ids, one token each, as FunctionGemma has them.

Gemma 3's vocabulary keeps 6,242 `<unusedN>` tokens free. The seven function-protocol tokens
take the first seven; the turn tokens (`<start_of_turn>`, `<end_of_turn>`) and `<bos>`,
`<eos>`, `<pad>` are Gemma's own.
"""

from __future__ import annotations

from typing import Any

from ..protocol import END_CALL, END_DECL, END_RESPONSE, ESCAPE, START_CALL, START_DECL, START_RESPONSE

# control token -> the unused token whose id it takes
CONTROL_IDS: dict[str, str] = {
    START_DECL: "<unused0>",
    END_DECL: "<unused1>",
    START_CALL: "<unused2>",
    END_CALL: "<unused3>",
    START_RESPONSE: "<unused4>",
    END_RESPONSE: "<unused5>",
    ESCAPE: "<unused6>",
}


def with_control_tokens(tokenizer_json: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Gemma `tokenizer.json` (parsed) with the control tokens in place of their unused tokens."""
    renamed = {unused: control for control, unused in CONTROL_IDS.items()}
    vocab = tokenizer_json["model"]["vocab"]
    missing = [unused for unused in renamed if unused not in vocab]
    if missing:
        raise ValueError(f"not a Gemma 3 vocabulary: it has no {', '.join(missing)}")
    out = dict(tokenizer_json)
    out["model"] = {**tokenizer_json["model"], "vocab": {renamed.get(k, k): v for k, v in vocab.items()}}
    out["added_tokens"] = [
        {**token, "content": renamed.get(token["content"], token["content"])}
        for token in tokenizer_json["added_tokens"]
    ]
    return out


def _merges(tokens: list[str]) -> list[tuple[str, str]]:
    """BPE merges recovered from a vocabulary listed best first, as transformers' GGUF loader recovers Gemma's.

    The file lists no merges. Every way to cut a token into two tokens of the vocabulary is a
    merge; merges rank by the position of the token they make (Gemma's scores do not follow its
    merge order, the file's order does), then by the lengths of their two parts.
    """
    index = {token: i for i, token in enumerate(tokens)}
    found: list[tuple[int, int, int, str, str]] = []
    for rank, token in enumerate(tokens):
        pairs = [
            (token[:cut], token[cut:]) for cut in range(1, len(token)) if token[:cut] in index and token[cut:] in index
        ]
        pairs.sort(key=lambda pair: (index[pair[0]], index[pair[1]]))
        found += [(rank, len(left), len(right), left, right) for left, right in pairs]
    found.sort(key=lambda merge: (merge[0], -merge[1], -merge[2]))
    return [(left, right) for _, _, _, left, right in found]


def tokenizer_from_gguf(metadata: dict[str, Any]) -> Any:
    """Gemma's `tokenizers.Tokenizer` from a GGUF's `tokenizer.ggml.*` metadata, with the control tokens in place.

    Built the way transformers builds it from the same file (checked token for token in
    `tests/nano/test_gemma.py`), so that `nano build` needs neither torch nor transformers.
    """
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    if metadata.get("tokenizer.ggml.model") != "llama":
        raise ValueError(f"not a sentencepiece vocabulary: {metadata.get('tokenizer.ggml.model')!r}")
    renamed = {unused: control for control, unused in CONTROL_IDS.items()}
    # Runs of spaces are stored as spaces, but looked up as "▁" runs: respell them first, as transformers does.
    spelled = ["\u2581" * len(t) if " " in t and not t.strip() else t for t in metadata["tokenizer.ggml.tokens"]]
    merges = _merges(spelled)
    tokens = [renamed.get(t, t) for t in spelled]
    kinds = metadata["tokenizer.ggml.token_type"]
    vocab = {token: i for i, token in enumerate(tokens)}
    bos = tokens[int(metadata["tokenizer.ggml.bos_token_id"])]
    tokenizer = Tokenizer(
        models.BPE(
            vocab=vocab,
            merges=merges,
            unk_token=tokens[int(metadata["tokenizer.ggml.unknown_token_id"])],
            fuse_unk=True,
            byte_fallback=True,
        )  # fmt: skip
    )
    tokenizer.normalizer = normalizers.Replace(" ", "\u2581")
    tokenizer.pre_tokenizer = pre_tokenizers.Split(" ", "merged_with_previous")
    tokenizer.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse()])
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos}:1 $B:1", special_tokens=[(bos, vocab[bos])]
    )
    # 3 is CONTROL (special: kept whole, dropped by skip_special_tokens), 4 USER_DEFINED (kept whole, not special)
    tokenizer.add_special_tokens(
        [AddedToken(t, normalized=False, special=True) for t, kind in zip(tokens, kinds) if int(kind) == 3]
    )
    # (space runs excepted, which transformers leaves to the model: their stored spelling is not in the vocabulary)
    stored = metadata["tokenizer.ggml.tokens"]
    user = [t for t, kind, raw in zip(tokens, kinds, stored) if int(kind) == 4 and raw in vocab]
    tokenizer.add_tokens([AddedToken(t, normalized=False, special=False) for t in user])
    return tokenizer
