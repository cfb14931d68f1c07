"""One side of :mod:`aecodec.tools.dev.bench.speed`, run inside the Python environment being
measured: times a task in this process and prints one JSON record.

    python -m aecodec.tools.dev.bench.speed_worker TASK IMAGE --repeats 3

Tasks: ``aecodec-decode``, ``aecodec-encode`` (effort 0, the API), ``mbt2018-decode`` and
``mbt2018-encode`` (CompressAI's mbt2018-mean, quality 4, random weights: its speed does not depend
on them), ``gs-ENGINE`` (``g_s`` alone on a Kodak-size latent: ``numpy``, ``torch``,
``onnxruntime`` or ``onnxruntime-FORM-LEVEL`` with a :class:`~aecodec.codec.engines.onnx_graphs.DeconvForm`
value and ``basic``/``extended``/``all``) and ``exact-ENGINE`` (the exact ``h_s`` and context of a
decode: ``onnxruntime`` or ``numpy`` products). Each task runs once untimed, then ``--repeats``
times; the record holds every time in seconds and the library versions.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

import numpy as np
from PIL import Image

QUALITY = 50.0
LEVELS = {"basic": "ORT_ENABLE_BASIC", "extended": "ORT_ENABLE_EXTENDED", "all": "ORT_ENABLE_ALL"}


def _aecodec(task: str, image: np.ndarray) -> Callable[[], object]:
    import aecodec

    data = aecodec.compress(image, quality=QUALITY)
    if task == "decode":
        return lambda: aecodec.decompress(data)
    return lambda: aecodec.compress(image, quality=QUALITY)


def _mbt2018(task: str, image: np.ndarray) -> Callable[[], object]:
    import torch
    from compressai.zoo import mbt2018_mean

    model = mbt2018_mean(quality=4, pretrained=False).eval()
    model.update(force=True)
    x = torch.from_numpy(image.transpose(2, 0, 1).copy()).float().div(255.0)[None]
    with torch.inference_mode():
        coded = model.compress(x)

    def decode() -> object:
        with torch.inference_mode():
            return model.decompress(coded["strings"], coded["shape"])

    def encode() -> object:
        with torch.inference_mode():
            return model.compress(x)

    return decode if task == "decode" else encode


def _latent_and_model(image: np.ndarray):
    from aecodec.bitstream import container
    from aecodec.codec.decoder.checkerboard import LatentStreams, read_latent
    from aecodec.codec.encoder.api import compress
    from aecodec.codec.weights.registry import load_decoder

    parsed = container.unpack(compress(image, quality=QUALITY))
    model = load_decoder(parsed.header.model_id)
    return model, parsed, read_latent(model, LatentStreams.from_sections(parsed.sections), parsed.header.height, parsed.header.width)


def _synthesis(engine: str, image: np.ndarray) -> Callable[[], object]:
    from aecodec.codec.decoder.model import decoder_gain
    from aecodec.codec.engines.onnx_engine import OnnxTransforms

    model, _, read = _latent_and_model(image)
    latent = read.y_hat[None]
    gain = decoder_gain(model.log_decoder_gain, QUALITY).reshape(1, -1, 1, 1)
    if engine.startswith("onnxruntime-"):
        transforms = _onnx_variant(model.engines.parameters.g_s, *engine.split("-")[1:])
        return lambda: transforms.run(None, {"latent": latent, "gain": gain})
    if engine == "onnxruntime":
        transforms = OnnxTransforms(model.engines.parameters)
    else:
        transforms = model.engines.get(engine)
    return lambda: transforms.synthesis(latent, gain)


def _onnx_variant(parameters: dict[str, np.ndarray], form: str, level: str):
    import onnxruntime

    from aecodec.codec.engines import onnx_engine, onnx_graphs

    graph = onnx_graphs.synthesis_graph(parameters, onnx_graphs.DeconvForm(form))
    return onnx_engine.session(graph, optimization=getattr(onnxruntime.GraphOptimizationLevel, LEVELS[level]))


def _exact(engine: str, image: np.ndarray) -> Callable[[], object]:
    from aecodec.codec.decoder import exact
    from aecodec.codec.decoder.checkerboard import LatentStreams, read_latent

    model, parsed, _ = _latent_and_model(image)
    if engine == "numpy":
        exact.float64_product = np.matmul
    streams = LatentStreams.from_sections(parsed.sections)
    return lambda: read_latent(model, streams, parsed.header.height, parsed.header.width)


def prepare(task: str, image: np.ndarray) -> Callable[[], object]:
    """The call that ``task`` times, set up (models loaded, inputs made)."""
    family, _, rest = task.partition("-")
    if family == "aecodec":
        return _aecodec(rest, image)
    if family == "mbt2018":
        return _mbt2018(rest, image)
    if family == "gs":
        return _synthesis(rest, image)
    if family == "exact":
        return _exact(rest, image)
    raise ValueError(f"unknown task {task!r}")


def _versions() -> dict[str, str]:
    found = {}
    for name in ("numpy", "onnxruntime", "torch", "compressai", "aecodec"):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time one task in this process (see the module notes).")
    parser.add_argument("task")
    parser.add_argument("image")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    image = np.asarray(Image.open(args.image).convert("RGB"))
    call = prepare(args.task, image)
    call()
    seconds = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"task": args.task, "seconds": seconds, "versions": _versions()}))


if __name__ == "__main__":
    main()
