"""The ONNX graphs compute the torch transforms (every form of the transposed convolution), and the
exported files run on onnxruntime as aecodec runs them."""

import json

import numpy as np
import onnxruntime
import pytest

from aecodec.codec.engines import onnx_graphs
from aecodec.codec.engines.numpy_engine import NumpyTransforms
from aecodec.codec.engines.onnx_engine import float64_product, session


def _parameters(seed: int = 0, m: int = 6, n: int = 5) -> dict[str, np.ndarray]:
    """Random ``g_s`` parameters in the stored layout (two layers: ``m → n`` with an IGDN, ``n → 3``)."""
    rng = np.random.default_rng(seed)
    return {"0.weight": rng.normal(0, 0.3, (m, n, 5, 5)).astype(np.float32), "0.bias": rng.normal(0, 0.1, n).astype(np.float32),
            "1.beta_root": rng.uniform(0.5, 1.5, n).astype(np.float32),
            "1.gamma_root": rng.uniform(0, 0.3, (n, n, 1, 1)).astype(np.float32),
            "2.weight": rng.normal(0, 0.3, (n, 3, 5, 5)).astype(np.float32), "2.bias": rng.normal(0, 0.1, 3).astype(np.float32)}


@pytest.mark.parametrize("form", list(onnx_graphs.DeconvForm))
def test_every_form_of_the_synthesis_matches_numpys(form):
    parameters = _parameters()
    latent = np.random.default_rng(1).normal(0, 1, (1, 6, 4, 7)).astype(np.float32)
    gain = np.full((1, 6, 1, 1), 0.8, dtype=np.float32)
    ours = session(onnx_graphs.synthesis_graph(parameters, form)).run(None, {"latent": latent, "gain": gain})[0]
    theirs = NumpyTransforms(parameters).synthesis(latent, gain)
    assert ours.shape == (1, 3, 16, 28)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("graph", ["g_a", "h_a", "g_s", "g_s-subpixel", "g_s-phases"])
def test_the_written_bytes_are_valid_onnx(tiny_model, graph):
    """The hand-written protobuf parses with the onnx package and passes its full checker."""
    onnx = pytest.importorskip("onnx", reason="the onnx package checks the bytes (pip install onnx)")
    parameters = tiny_model.decoder.engines.parameters
    name, _, form = graph.partition("-")
    builders = {"g_a": lambda: onnx_graphs.analysis_graph(parameters.g_a),
                "h_a": lambda: onnx_graphs.hyper_analysis_graph(parameters.h_a),
                "g_s": lambda: onnx_graphs.synthesis_graph(parameters.g_s, onnx_graphs.DeconvForm(form or "convtranspose"))}
    model = onnx.load_from_string(builders[name]().to_bytes())
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == 17 and model.graph.name == name


def test_float64_products_are_exact_on_integers():
    rng = np.random.default_rng(2)
    a = rng.integers(-(1 << 11), 1 << 11, (40, 300)).astype(np.float64)
    b = rng.integers(0, 1 << 14, (300, 77)).astype(np.float64)
    assert np.array_equal(float64_product(a, b), a @ b)


def test_the_analysis_graphs_match_torch(tiny_model, make_image):
    torch = pytest.importorskip("torch", reason="compares with torch (pip install 'aecodec[torch]')")
    parameters = tiny_model.decoder.engines.parameters
    image = make_image(64, 96).transpose(2, 0, 1)[None].astype(np.float32) / 255
    gain = np.full((1, 24, 1, 1), 1.3, dtype=np.float32)
    latent = session(onnx_graphs.analysis_graph(parameters.g_a)).run(None, {"image": image, "gain": gain})[0]
    hyper = session(onnx_graphs.hyper_analysis_graph(parameters.h_a)).run(None, {"latent": latent})[0]
    with torch.inference_mode():
        expected = tiny_model.g_a(torch.from_numpy(image)) * torch.from_numpy(gain)
        expected_hyper = tiny_model.h_a(expected)
    np.testing.assert_allclose(latent, expected.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(hyper, expected_hyper.numpy(), rtol=1e-4, atol=1e-4)


def test_exported_files_run_as_aecodec_runs_them(tmp_path, runner):
    from aecodec.codec.decoder.model import decoder_gain
    from aecodec.codec.weights.registry import load_encoder
    from aecodec.tools.cli.main import main

    result = runner.invoke(main, ["export-onnx", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    gains = json.loads((tmp_path / "gains.json").read_text())
    model = load_encoder()
    table = np.asarray(gains["log_decoder_gain"], dtype=np.float32)
    gain = decoder_gain(table, 30.0).reshape(1, -1, 1, 1)
    latent = np.random.default_rng(3).normal(0, 2, (1, table.shape[1], 2, 3)).astype(np.float32)
    exported = onnxruntime.InferenceSession(str(tmp_path / "g_s.onnx"), providers=["CPUExecutionProvider"])
    ours = exported.run(None, {"latent": latent, "gain": gain})[0]
    np.testing.assert_allclose(ours, model.decoder.engines.get().synthesis(latent, gain), rtol=1e-5, atol=1e-5)
    assert gains["weights_hash"] == model.weights_hash.hex()
