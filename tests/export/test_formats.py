"""The built-in model exported to ONNX, LiteRT and ExecuTorch, float32 and int8, and what proves each artifact.

The export runs once per session (a few minutes on two cores); every test reads what it wrote.
"""

from __future__ import annotations

import copy
import json
import shutil

import pytest

torch = pytest.importorskip("torch")
for module in ("onnxruntime", "litert_torch", "ai_edge_litert", "executorch", "torchao"):
    pytest.importorskip(module)

from dmind.edge.nano.runtime import MINIATURE_DIR, NanoModel, open_backend  # noqa: E402
from dmind.export.manifest import check_files, read_manifest  # noqa: E402
from dmind.export.onnx_export import export_onnx, load_checkpoint  # noqa: E402
from dmind.export.parity import FP32_LOGIT_TOLERANCE, compare, eager_reference, parity_prompts  # noqa: E402
from dmind.export.pipeline import FORMATS, ExportError, artifact_file, export, verify  # noqa: E402

pytestmark = pytest.mark.skipif(
    not (MINIATURE_DIR / "model.safetensors").exists(), reason="the built-in checkpoint is not built"
)
PEPE = "0x6982508145454Ce325dDbE47a25d4ec3d2311933"


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    stages = []
    manifests = export(
        MINIATURE_DIR, out, eval_conversations=6, progress=lambda stage, done, total: stages.append(stage)
    )
    return out, {(m["format"], m["quantization"]["name"]): m for m in manifests}, stages


@pytest.fixture(scope="session")
def eager():
    return load_checkpoint(MINIATURE_DIR)


def test_every_format_and_quantization_is_written_with_its_manifest(exported):
    out, manifests, stages = exported
    assert set(manifests) == {(f, q) for f in FORMATS for q in ("none", "int8")}
    for (fmt, quant), manifest in manifests.items():
        directory = out / f"{fmt}-{'fp32' if quant == 'none' else quant}"
        assert read_manifest(directory) == manifest and not check_files(directory, manifest)
        assert manifest["file"] == artifact_file(fmt, quant == "int8") and (directory / "tokenizer.json").exists()
        assert manifest["source"]["checkpoint_sha256"] and manifest["tools"]["torch"] and manifest["signature"]
    assert any(s.startswith("parity ") for s in stages) and any(s.startswith("export ") for s in stages)


def test_int8_files_are_smaller_than_float32(exported):
    _, manifests, _ = exported

    def size(m):
        return next(f["bytes"] for f in m["files"] if f["name"] == m["file"])

    for fmt in FORMATS:
        assert size(manifests[(fmt, "int8")]) < size(manifests[(fmt, "none")]), fmt


def test_float32_artifacts_decode_exactly_as_eager_past_the_sliding_window(exported, eager):
    _, manifests, _ = exported
    for fmt in FORMATS:
        parity = manifests[(fmt, "none")]["parity"]
        assert parity["prompt_tokens"][0] > eager.config.sliding_window
        assert parity["greedy_exact"] == 1.0 and parity["passed"] is True, (fmt, parity)
        assert parity["max_logit_diff"] <= FP32_LOGIT_TOLERANCE * max(1.0, parity["logit_scale"]), (fmt, parity)


def test_int8_artifacts_keep_the_protocol_and_are_measured(exported):
    _, manifests, _ = exported
    for fmt in FORMATS:
        metrics = manifests[(fmt, "int8")]["parity"]["intent_metrics"]["all"]
        assert metrics["protocol_adherence"] == 1.0 and metrics["turns"] > 0
        assert 0 < manifests[(fmt, "int8")]["parity"]["top1_agreement"] <= 1


def test_every_float32_backend_writes_the_same_call(exported):
    out, _, _ = exported
    words = [{"role": "user", "content": f"swap 2 SOL for {PEPE}"}]
    raws = {fmt: NanoModel.load(out / f"{fmt}-fp32", backend=fmt).generate(words).raw for fmt in FORMATS}
    assert len(set(raws.values())) == 1, raws


@pytest.mark.parametrize("fmt", ["litert", "executorch"])
def test_a_cached_prefix_gives_the_logits_of_one_pass(exported, fmt):
    out, manifests, _ = exported
    backend = open_backend(fmt, out / f"{fmt}-fp32" / manifests[(fmt, "none")]["file"])
    ids = parity_prompts(MINIATURE_DIR, load_checkpoint(MINIATURE_DIR).config, count=1)[0]
    whole, _ = backend.run(ids, None)
    _, prefix = backend.run(ids[:200], None)
    backend.run(ids[:50] + ids[:40], None)  # another request in between overwrites the cache past the prefix
    _, prefix = backend.run(ids[:200], None)
    split, _ = backend.run(ids[200:], prefix)
    assert abs(whole - split).max() < 1e-4


def test_verify_passes_untouched_and_catches_a_changed_file(exported, tmp_path):
    out, _, _ = exported
    assert all(row["files_ok"] and row["source_ok"] and row["parity"]["passed"] is not False for row in verify(out))
    copy_dir = tmp_path / "copy"
    shutil.copytree(out / "onnx-fp32", copy_dir / "onnx-fp32")
    manifest = json.loads((copy_dir / "onnx-fp32" / "manifest.json").read_text())
    with (copy_dir / "onnx-fp32" / manifest["file"]).open("r+b") as f:
        f.seek(-64, 2)
        f.write(b"\x00" * 8)
    assert [row["files_ok"] for row in verify(copy_dir)] == [False]


def test_parity_catches_a_runtime_that_ignores_the_sliding_window(eager, tmp_path):
    """An artifact that attends past the window (the silent kind of error a converter makes) fails parity."""
    broken = copy.deepcopy(eager)
    broken.config.sliding_window = 4096
    for layer in broken.model.layers:
        layer.self_attn.sliding_window = None
    export_onnx(broken, tmp_path / "model.onnx")
    references = eager_reference(eager, parity_prompts(MINIATURE_DIR, eager.config, count=2), new_tokens=8)
    parity = compare(open_backend("onnx", tmp_path / "model.onnx"), references)
    assert not parity.float32_ok and parity.max_logit_diff > parity.tolerance


def test_parity_catches_litert_convert_on_the_plain_model(eager):
    """`litert_torch.convert` of the plain model mis-compiles grouped-query attention: exactly what parity must catch."""
    import litert_torch

    class Logits(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids):
            return self.model(input_ids=input_ids, use_cache=False).logits

    prompt = parity_prompts(MINIATURE_DIR, eager.config, count=1)[0]
    converted = litert_torch.convert(Logits(copy.deepcopy(eager)).eval(), (torch.tensor([prompt]),))

    class WholeSequence:
        """Runs the converted graph on its one sequence length (no cache); parity asks it for the prompt only."""

        def run(self, ids, cache):
            return converted(torch.tensor([list(ids)], dtype=torch.int32))[0, -1], None

    parity = compare(WholeSequence(), eager_reference(eager, [prompt], new_tokens=1))
    assert not parity.float32_ok


def test_missing_toolchains_and_bad_arguments_are_named(tmp_path):
    with pytest.raises(ExportError, match="EXPORT_FORMAT_UNKNOWN"):
        export(MINIATURE_DIR, tmp_path, formats=["coreml"])
    with pytest.raises(ExportError, match="EXPORT_QUANT_UNKNOWN"):
        export(MINIATURE_DIR, tmp_path, quantizations=["int4"])


def test_a_missing_toolchain_names_its_extra(monkeypatch, tmp_path):
    import dmind.export.pipeline as pipeline

    monkeypatch.setattr(pipeline, "find_spec", lambda name: None if name == "litert_torch" else object())
    with pytest.raises(ExportError, match=r"EXPORT_EXTRA_MISSING.*litert_torch.*dmind-edge\[export\]"):
        export(MINIATURE_DIR, tmp_path, formats=["onnx", "litert"])


def test_cli_refuses_what_it_cannot_export(tmp_path):
    from tests.conftest import run_cli

    missing = run_cli("export", "--model", tmp_path / "nothing", "--out", tmp_path / "out")
    assert missing.returncode == 2 and "EXPORT_CHECKPOINT_MISSING" in missing.stderr
    unknown = run_cli("export", "--config", "gemma-7b", "--out", tmp_path / "out")
    assert unknown.returncode == 2 and "EXPORT_CONFIG_UNKNOWN" in unknown.stderr
