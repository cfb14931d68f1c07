"""The torch-free decoder: NumPy's and onnxruntime's ``g_s`` compute torch's up to float rounding,
the symbols it reads are exact whatever the BLAS thread count, and decoding never imports torch."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="compares with torch (pip install 'aecodec[torch]')")
from torch.nn import functional as F

from aecodec.bitstream import container
from aecodec.codec.decoder.api import decompress_with
from aecodec.codec.decoder.checkerboard import LatentStreams, read_latent
from aecodec.codec.decoder.model import decode_pixels, decoder_gain, load_decoder_model
from aecodec.codec.devices import DeviceError
from aecodec.codec.encoder import analysis
from aecodec.codec.encoder.api import compress_with
from aecodec.codec.engines.numpy_engine import Deconvolution, SynthesisWeights, synthesis
from aecodec.codec.model.refinement import gain_vector


@pytest.fixture
def image(make_image):
    return make_image(96, 160, seed=11)


@pytest.mark.parametrize(("inputs", "outputs"), [(6, 4), (80, 3)])
def test_deconvolution_matches_torch(inputs, outputs):
    """Both ways of summing taps (per tap; all taps at once when the outputs are few)."""
    rng = np.random.default_rng(inputs)
    weight = rng.normal(0, 0.3, (inputs, outputs, 5, 5)).astype(np.float32)
    bias = rng.normal(0, 0.3, outputs).astype(np.float32)
    x = rng.normal(0, 1, (3, 5, inputs)).astype(np.float32)
    layer = Deconvolution(np.ascontiguousarray(weight.transpose(2, 3, 0, 1)), bias)
    ours = synthesis(SynthesisWeights([layer], []), x)
    theirs = F.conv_transpose2d(torch.from_numpy(x.transpose(2, 0, 1))[None], torch.from_numpy(weight),
                                torch.from_numpy(bias), stride=2, padding=2, output_padding=1)
    assert ours.shape == (6, 10, outputs)
    np.testing.assert_allclose(ours, theirs[0].numpy().transpose(1, 2, 0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("engine", ["numpy", "onnxruntime"])
def test_synthesis_matches_torch(tiny_model, engine):
    latent = np.random.default_rng(0).normal(0, 3, (1, 24, 5, 7)).astype(np.float32)
    gain = np.full((1, 24, 1, 1), 1.5, dtype=np.float32)
    ours = tiny_model.decoder.engines.get(engine).synthesis(latent, gain)
    with torch.inference_mode():
        theirs = tiny_model.g_s(torch.from_numpy(latent * gain)).numpy()
    assert ours.shape == (1, 3, 80, 112)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("quality", [0.0, 37.5, 100.0])
def test_decoder_gain_matches_torch(tiny_model, quality):
    theirs = gain_vector(tiny_model.log_decoder_gain, quality, "cpu").numpy().ravel()
    np.testing.assert_allclose(decoder_gain(tiny_model.decoder.log_decoder_gain, quality), theirs, rtol=1e-6)


@pytest.mark.parametrize("engine", ["numpy", "onnxruntime"])
def test_cpu_decoder_matches_torch_decode(tiny_model, image, engine):
    streams = analysis.encode(tiny_model, image, 60.0)
    ours = decode_pixels(tiny_model.decoder, streams, 60.0, 96, 160, engine=engine)
    theirs = decode_pixels(tiny_model, streams, 60.0, 96, 160, engine="torch")
    difference = np.abs(ours.astype(int) - theirs.astype(int))
    assert difference.max() <= 1 and difference.mean() < 0.01


def test_loaded_decoder_equals_the_inference_models(tiny_weights, tiny_model):
    loaded, derived = load_decoder_model(tiny_weights), tiny_model.decoder
    assert loaded.weights_hash == derived.weights_hash
    assert all(np.array_equal(a.weight, b.weight) and np.array_equal(a.shift, b.shift)
               for a, b in zip(loaded.hyper_layers + loaded.context_layers,
                               derived.hyper_layers + derived.context_layers, strict=True))
    assert np.array_equal(loaded.y_tables.frequencies, derived.y_tables.frequencies)
    ours, theirs = loaded.engines.parameters.g_s, derived.engines.parameters.g_s
    assert ours.keys() == theirs.keys() and all(np.array_equal(ours[name], theirs[name]) for name in ours)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error where there is no CUDA device")
def test_cuda_without_a_cuda_device_is_a_clean_error(tiny_weights, tiny_model, image):
    data = compress_with(tiny_model, image, 50.0)
    with pytest.raises(DeviceError, match="no CUDA device"):
        decompress_with(load_decoder_model(tiny_weights), data, device="cuda")


_DECODE_WITHOUT_TORCH = """
import json, sys
import numpy as np
from aecodec.bitstream import container
from aecodec.codec.decoder.model import load_decoder_model
from aecodec.codec.decoder.api import decompress_with
from aecodec.codec.decoder.checkerboard import LatentStreams, read_latent
model = load_decoder_model(sys.argv[1])
data = open(sys.argv[2], "rb").read()
parsed = container.unpack(data)
streams = LatentStreams.from_sections(parsed.sections)
read = read_latent(model, streams, parsed.header.height, parsed.header.width)
np.save(sys.argv[3], read.y_hat)
np.save(sys.argv[4], np.asarray(decompress_with(model, data)))
print(json.dumps("torch" in sys.modules))
"""


@pytest.mark.parametrize("threads", ["1", "2"])
def test_decoding_in_a_fresh_process_is_exact_and_needs_no_torch(tiny_weights, tiny_model, image, tmp_path, threads):
    """Another process, another BLAS thread count: the same latent bit for bit; pixels up to float rounding."""
    data = compress_with(tiny_model, image, 45.0)
    (tmp_path / "x.aec").write_bytes(data)
    y_hat_path, pixels_path = tmp_path / "y_hat.npy", tmp_path / "pixels.npy"
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads}
    result = subprocess.run([sys.executable, "-c", _DECODE_WITHOUT_TORCH, str(tiny_weights), str(tmp_path / "x.aec"),
                             str(y_hat_path), str(pixels_path)], capture_output=True, text=True, check=True,
                            env=environment)
    assert json.loads(result.stdout) is False
    parsed = container.unpack(data)
    here = read_latent(tiny_model, LatentStreams.from_sections(parsed.sections), 96, 160)
    assert np.array_equal(np.load(y_hat_path), here.y_hat)
    pixels = np.load(pixels_path).astype(int)
    assert np.abs(pixels - np.asarray(decompress_with(tiny_model, data)).astype(int)).max() <= 1
