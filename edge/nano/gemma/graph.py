"""Gemma 3 270M as an ONNX graph, written node by node with numpy weights: no torch on the user's machine.

The graph has the interface of the exported miniature (`export/onnx_export.py`): `input_ids
[1, S]` and the cache as `past_keys` / `past_values` `[layers, 1, kv_heads, P, head_dim]` in,
`present_keys` / `present_values` of length `P + S` out, but `logits` only for the last
position (`[1, 1, vocab]`): decoding reads nothing else, and the 262,144-wide head over a
whole prompt would be most of the first token's cost. Each layer is Gemma 3's: RMSNorm with
`1 + w` (GGUF stores the `1 +` already), grouped-query attention with one key-value head,
QK-norm, rotary embeddings (base 10,000 on local layers, 1,000,000 on every sixth, global),
a 512-token sliding window on local layers, GeGLU (tanh GELU), norms after attention and
after the MLP, and the embedding scaled by sqrt(hidden) and tied to the output layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterator

OPSET = 18


@dataclass(frozen=True, slots=True)
class GemmaShape:
    """What the GGUF's metadata says about the network (`gemma3.*` keys), with Gemma 3's fixed choices."""

    layers: int = 18
    hidden: int = 640
    heads: int = 4
    kv_heads: int = 1
    head_dim: int = 256
    vocab: int = 262_144
    eps: float = 1e-6
    sliding_window: int = 512
    global_every: int = 6
    rope_local: float = 10_000.0
    rope_global: float = 1_000_000.0
    query_pre_attn_scalar: int = 256

    def is_global(self, layer: int) -> bool:
        return (layer + 1) % self.global_every == 0


def shape_of(fields: dict[str, Any]) -> GemmaShape:
    """The shape from a GGUF's metadata (key -> value), refusing a file that is not a Gemma 3."""
    if fields.get("general.architecture") != "gemma3":
        raise ValueError(f"not a Gemma 3 file: architecture {fields.get('general.architecture')!r}")
    return GemmaShape(
        layers=int(fields["gemma3.block_count"]),
        hidden=int(fields["gemma3.embedding_length"]),
        heads=int(fields["gemma3.attention.head_count"]),
        kv_heads=int(fields["gemma3.attention.head_count_kv"]),
        head_dim=int(fields["gemma3.attention.key_length"]),
        eps=float(fields["gemma3.attention.layer_norm_rms_epsilon"]),
        sliding_window=int(fields["gemma3.attention.sliding_window"]),
        rope_global=float(fields["gemma3.rope.freq_base"]),
    )


class _Graph:
    """Nodes and initializers being written; every helper returns the name of its output."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._n = 0

    def name(self, hint: str) -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def const(self, value: Any, hint: str = "c") -> str:
        import numpy as np

        name = self.name(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, kind: str, *inputs: str, outputs: int = 1, **attrs: Any) -> Any:
        names = [self.name(kind.lower()) for _ in range(outputs)]
        self.nodes.append(self.helper.make_node(kind, list(inputs), names, **attrs))
        return names[0] if outputs == 1 else names


def _rms_norm(g: _Graph, x: str, weight: Any, eps: float) -> str:
    """x / sqrt(mean(x^2) + eps) * weight, over the last axis (weight is GGUF's, `1 + w` already)."""
    import numpy as np

    mean = g.op("ReduceMean", g.op("Mul", x, x), g.const(np.array([-1], dtype=np.int64)), keepdims=1)
    scaled = g.op("Div", x, g.op("Sqrt", g.op("Add", mean, g.const(np.float32(eps)))))
    return g.op("Mul", scaled, g.const(weight.astype(np.float32), "norm"))


def _rope(g: _Graph, x: str, cos: str, sin: str, half: int) -> str:
    """x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1] (halves, not interleaved)."""
    import numpy as np

    axis = g.const(np.array([-1], dtype=np.int64))
    first = g.op("Slice", x, g.const(np.array([0], dtype=np.int64)), g.const(np.array([half], dtype=np.int64)), axis)
    second = g.op(
        "Slice", x, g.const(np.array([half], dtype=np.int64)), g.const(np.array([2 * half], dtype=np.int64)), axis
    )
    rotated = g.op("Concat", g.op("Neg", second), first, axis=-1)
    return g.op("Add", g.op("Mul", x, cos), g.op("Mul", rotated, sin))


def _gelu_tanh(g: _Graph, x: str) -> str:
    import numpy as np

    cube = g.op("Mul", g.op("Mul", x, x), x)
    inner = g.op(
        "Mul",
        g.op("Add", x, g.op("Mul", cube, g.const(np.float32(0.044715)))),
        g.const(np.float32(math.sqrt(2 / math.pi))),
    )
    return g.op(
        "Mul", g.op("Mul", x, g.const(np.float32(0.5))), g.op("Add", g.op("Tanh", inner), g.const(np.float32(1.0)))
    )


def build_graph(weights: dict[str, Any], shape: GemmaShape) -> Any:
    """The ONNX model of Gemma 3 over `weights` (GGUF tensor names, numpy `[out, in]` matrices, float32)."""
    import numpy as np
    from onnx import TensorProto, helper

    g = _Graph()
    s = shape
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "sequence"]),
        helper.make_tensor_value_info("past_keys", TensorProto.FLOAT, [s.layers, 1, s.kv_heads, "past", s.head_dim]),
        helper.make_tensor_value_info("past_values", TensorProto.FLOAT, [s.layers, 1, s.kv_heads, "past", s.head_dim]),
    ]
    i64 = lambda *v: g.const(np.array(v, dtype=np.int64))  # noqa: E731
    past = g.op("Gather", g.op("Shape", "past_keys"), g.const(np.int64(3)), axis=0)  # scalar P
    length = g.op("Gather", g.op("Shape", "input_ids"), g.const(np.int64(1)), axis=0)  # scalar S
    total = g.op("Add", past, length)
    positions = g.op("Cast", g.op("Range", past, total, g.const(np.int64(1))), to=TensorProto.FLOAT)  # [S]
    keys_at = g.op("Cast", g.op("Range", g.const(np.int64(0)), total, g.const(np.int64(1))), to=TensorProto.FLOAT)
    distance = g.op("Sub", g.op("Unsqueeze", positions, i64(1)), g.op("Unsqueeze", keys_at, i64(0)))  # [S, P+S]
    zero, blocked = g.const(np.float32(0.0)), g.const(np.float32(-np.inf))
    causal = g.op("GreaterOrEqual", distance, zero)
    near = g.op("And", causal, g.op("Less", distance, g.const(np.float32(s.sliding_window))))
    masks = {True: g.op("Where", causal, zero, blocked), False: g.op("Where", near, zero, blocked)}

    half = s.head_dim // 2
    rotary = {}
    for is_global, base in ((False, s.rope_local), (True, s.rope_global)):
        inv_freq = (1.0 / base ** (np.arange(0, s.head_dim, 2, dtype=np.float64) / s.head_dim)).astype(np.float32)
        freqs = g.op("Mul", g.op("Unsqueeze", positions, i64(1)), g.const(inv_freq[None, :], "inv_freq"))  # [S, half]
        angles = g.op("Concat", freqs, freqs, axis=-1)  # [S, head_dim]
        rotary[is_global] = (g.op("Cos", angles), g.op("Sin", angles))

    embedding = weights["token_embd.weight"].astype(np.float32)
    table = g.const(embedding, "embedding")
    hidden = g.op("Mul", g.op("Gather", table, "input_ids", axis=0), g.const(np.float32(math.sqrt(s.hidden))))
    scale = g.const(np.float32(s.query_pre_attn_scalar**-0.5))
    presents: dict[str, list[str]] = {"keys": [], "values": []}
    for layer in range(s.layers):
        w = lambda name: weights[f"blk.{layer}.{name}.weight"]  # noqa: E731,B023
        matmul = lambda x, name: g.op("MatMul", x, g.const(np.ascontiguousarray(w(name).T), name))  # noqa: E731,B023
        cos, sin = rotary[s.is_global(layer)]
        x = _rms_norm(g, hidden, w("attn_norm"), s.eps)
        heads = {}
        for name, count in (("attn_q", s.heads), ("attn_k", s.kv_heads), ("attn_v", s.kv_heads)):
            split = g.op("Reshape", matmul(x, name), i64(1, -1, count, s.head_dim))
            heads[name] = split
        q = _rms_norm(g, heads["attn_q"], w("attn_q_norm"), s.eps)
        k = _rms_norm(g, heads["attn_k"], w("attn_k_norm"), s.eps)
        q = _rope(g, g.op("Transpose", q, perm=[0, 2, 1, 3]), cos, sin, half)  # [1, heads, S, D]
        k = _rope(g, g.op("Transpose", k, perm=[0, 2, 1, 3]), cos, sin, half)  # [1, kv, S, D]
        v = g.op("Transpose", heads["attn_v"], perm=[0, 2, 1, 3])
        for kind, new, source in (("keys", k, "past_keys"), ("values", v, "past_values")):
            whole = g.op(
                "Concat", g.op("Gather", source, g.const(np.int64(layer)), axis=0), new, axis=2
            )  # [1, kv, P+S, D]
            presents[kind].append(whole)
        keys, values = presents["keys"][-1], presents["values"][-1]
        scores = g.op("Mul", g.op("MatMul", q, g.op("Transpose", keys, perm=[0, 1, 3, 2])), scale)
        probs = g.op("Softmax", g.op("Add", scores, masks[s.is_global(layer)]), axis=-1)
        attended = g.op(
            "Reshape",
            g.op("Transpose", g.op("MatMul", probs, values), perm=[0, 2, 1, 3]),
            i64(1, -1, s.heads * s.head_dim),
        )
        out = _rms_norm(g, matmul(attended, "attn_output"), w("post_attention_norm"), s.eps)
        hidden = g.op("Add", hidden, out)
        x = _rms_norm(g, hidden, w("ffn_norm"), s.eps)
        mlp = matmul(g.op("Mul", _gelu_tanh(g, matmul(x, "ffn_gate")), matmul(x, "ffn_up")), "ffn_down")
        hidden = g.op("Add", hidden, _rms_norm(g, mlp, w("post_ffw_norm"), s.eps))

    last = g.op("Gather", hidden, g.op("Sub", length, g.const(np.int64(1))), axis=1)  # [1, hidden]
    final = _rms_norm(g, g.op("Unsqueeze", last, i64(1)), weights["output_norm.weight"], s.eps)
    g.nodes.append(helper.make_node("MatMul", [final, g.const(np.ascontiguousarray(embedding.T), "head")], ["logits"]))
    for kind in ("keys", "values"):
        stacked = [g.op("Unsqueeze", t, i64(0)) for t in presents[kind]]
        g.nodes.append(helper.make_node("Concat", stacked, [f"present_{kind}"], axis=0))
    outputs = [
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1, s.vocab]),
        helper.make_tensor_value_info(
            "present_keys", TensorProto.FLOAT, [s.layers, 1, s.kv_heads, "total", s.head_dim]
        ),
        helper.make_tensor_value_info(
            "present_values", TensorProto.FLOAT, [s.layers, 1, s.kv_heads, "total", s.head_dim]
        ),
    ]
    graph = helper.make_graph(g.nodes, "gemma3", inputs, outputs, g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="dmind-edge")
    model.ir_version = 9
    return model


def tensors(weights_path: Any) -> Iterator[tuple[str, Any]]:
    """Every tensor of a GGUF, dequantized to float32 numpy in transformers' `[out, in]` layout."""
    from gguf import GGUFReader
    from gguf.quants import dequantize

    for tensor in GGUFReader(weights_path).tensors:
        yield tensor.name, dequantize(tensor.data, tensor.tensor_type)
