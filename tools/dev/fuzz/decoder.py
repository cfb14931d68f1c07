"""Fuzz the ``.aec`` reader and decoder: ``python -m aecodec.tools.dev.fuzz.decoder --inputs N --out results/fuzz.json``.

Every input must end in a decoded image or an :class:`~aecodec.bitstream.errors.AecError` with a
one-line message. Anything else -- another exception, a worker that dies (a crash or the memory
cap), or an input still running after ``--hang-seconds`` -- is a finding.

Inputs come from :mod:`aecodec.tools.dev.fuzz.mutations`: first a systematic sweep of the seed files
(every truncation, every bit of their headers with and without the CRC fixed), then mutations,
input ``i`` drawn from ``random.Random(f"{seed}:{i}")`` alone so any input can be regenerated.
Each input is parsed by the container; a ``--deep`` fraction is also decoded in full with a tiny
random-weight model (``compress_with``/``decompress_with``), and some go through the public
``decompress`` to exercise the model registry. Inputs run in a supervised worker process with a
capped address space, restarted after a crash or a hang.

``--engine atheris`` runs the same targets under atheris (coverage-guided libFuzzer), in process.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import random
import resource
import time
from pathlib import Path

from aecodec.bitstream import container
from aecodec.bitstream.errors import AecError
from aecodec.tools.dev.fuzz.mutations import Layout, make_input, parse_layout, sweep
from aecodec.tools.dev.fuzz.report import Finding, FuzzConfig, Tally, write_reports

FUZZ_HASH = b"fuzz-aec"
"""Weights hash given to the tiny model, so its seed files are the same in every process and run."""
CHUNK = 2000


def tiny_model(directory: Path):
    """The tests' tiny random-weight model (N=16, M=24, torch seed 0), its hash set to ``FUZZ_HASH``."""
    import torch

    from aecodec.codec.model.config import ModelConfig
    from aecodec.codec.model.export import save_weights
    from aecodec.codec.model.hyperprior import HyperpriorModel
    from aecodec.codec.model.inference import load_inference_model

    torch.manual_seed(0)
    path = directory / "tiny.npz"
    save_weights(HyperpriorModel(ModelConfig(n=16, m=24)).eval(), path)
    return load_inference_model(path).with_decoder(weights_hash=FUZZ_HASH)


def seed_files(model) -> list[bytes]:
    """Valid files covering every section type: RGB with ICC and EXIF, RGBA, LA, L, a 1x1 image."""
    import numpy as np
    from PIL import Image, ImageCms

    from aecodec.codec.encoder.api import compress_with

    rgb = Image.fromarray(_gradient(40, 56))
    rgb.info["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x0112] = 6
    rgb.info["exif"] = exif.tobytes()
    alpha = np.random.default_rng(1).integers(0, 256, (33, 47), dtype=np.uint8)
    images = [(_gradient(1, 1), 50), (rgb, 75), (np.dstack([_gradient(33, 47), alpha]), 60),
              (Image.fromarray(_gradient(20, 20)).convert("LA"), 40), (_gradient(64, 96)[:, :, 1], 95),
              (_gradient(70, 130), 100)]
    return [compress_with(model, image, quality) for image, quality in images]


def _gradient(height: int, width: int):
    import numpy as np

    rows, cols = np.mgrid[0:height, 0:width]
    noise = np.random.default_rng(height * width).normal(0, 6, (height, width, 3))
    base = np.stack([rows * 200 / max(height, 1), cols * 200 / max(width, 1), (rows + cols) % 97 * 2], axis=2)
    return np.clip(base + noise + 20, 0, 255).astype(np.uint8)


@dataclasses.dataclass(frozen=True)
class FuzzInput:
    """Input ``index``: its bytes, how it was made, and which targets it goes through."""

    index: int
    data: bytes
    origin: str
    deep: bool
    public: bool


class InputSource:
    """Input ``i`` for any ``i``: the sweep first, then seeded mutations."""

    def __init__(self, seeds: list[bytes], config: FuzzConfig) -> None:
        self.config = config
        self.layouts: list[Layout] = [parse_layout(seed) for seed in seeds]
        self.swept = list(sweep(seeds))

    def __getitem__(self, index: int) -> FuzzInput:
        if index < len(self.swept):
            data, origin = self.swept[index]
            return FuzzInput(index, data, origin, deep=True, public=False)
        chooser = random.Random(f"{self.config.seed}:{index}")
        deep = chooser.random() < self.config.deep
        public = not deep and chooser.random() < self.config.public
        data, operators = make_input(self.layouts, chooser, payloads_only=deep)
        return FuzzInput(index, data, "+".join(operators), deep, public)


def run_input(item: FuzzInput, model) -> tuple[str, str]:
    """``(outcome, message)``: ``decoded``, ``parsed`` or the AecError's class name; other
    exceptions propagate."""
    from aecodec.codec.decoder.api import decompress, decompress_with

    try:
        container.unpack(item.data)
        if item.public:
            decompress(item.data)
            return "decoded", ""
        if item.deep:
            decompress_with(model, item.data)
            return "decoded", ""
        return "parsed", ""
    except AecError as error:
        return type(error).__name__, str(error)


def check(item: FuzzInput, model, tally: Tally) -> None:
    """Run one input and record its outcome, or a finding when the contract is broken."""
    start = time.perf_counter()
    try:
        outcome, message = run_input(item, model)
    except Exception as error:
        tally.record_finding(Finding.escaped(item, error))
        return
    finally:
        tally.record_time(item.index, time.perf_counter() - start, item.deep or item.public)
    if outcome not in ("decoded", "parsed") and (not message or "\n" in message):
        tally.record_finding(Finding.of(item, f"{outcome} (not one line)", message))
    tally.record(outcome, message)


def _worker(connection, config: FuzzConfig, current) -> None:
    """Run chunks ``(start, stop)`` sent over ``connection``; send each chunk's :class:`Tally` back."""
    import tempfile

    import torch

    torch.set_num_threads(1)
    limit = config.memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    container.MAX_PIXELS = config.max_pixels
    with tempfile.TemporaryDirectory() as directory:
        model = tiny_model(Path(directory))
    source = InputSource(seed_files(model), config)
    connection.send(len(source.swept))
    while (task := connection.recv()) is not None:
        tally = Tally()
        for index in range(*task):
            current.value = index
            check(source[index], model, tally)
        tally.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        connection.send(tally)


class Supervisor:
    """One worker process; finds hangs (no progress for ``hang_seconds``) and crashes."""

    def __init__(self, config: FuzzConfig) -> None:
        self.config = config
        self.context = multiprocessing.get_context("spawn")
        self.process = None
        self.swept = 0

    def start(self) -> None:
        self.current = self.context.Value("q", -1)
        self.connection, child = self.context.Pipe()
        self.process = self.context.Process(target=_worker, args=(child, self.config, self.current), daemon=True)
        self.process.start()
        self.swept = self.connection.recv()

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.connection.send(None)
            self.process.join(10)
        if self.process is not None and self.process.is_alive():
            self.process.kill()

    def run(self, start: int, stop: int, tally: Tally, rebuild) -> None:
        """Run inputs ``[start, stop)`` into ``tally``; on a hang or crash record it and go on."""
        pending = [(start, stop)]
        while pending:
            low, high = pending.pop()
            self.connection.send((low, high))
            failure, result = self._wait()
            if failure is None:
                tally.merge(result)
                continue
            bad = self.current.value
            tally.record_finding(Finding.of(rebuild(bad), failure, f"worker {failure} on this input"))
            self.process.kill()
            self.start()
            pending += [span for span in ((low, bad), (bad + 1, high)) if span[0] < span[1]]

    def _wait(self) -> tuple[str | None, Tally | None]:
        """``(None, tally)`` when the chunk finished; ``("hang" or "crash", None)`` otherwise."""
        seen, since = self.current.value, time.monotonic()
        while not self.connection.poll(0.5):
            if not self.process.is_alive():
                return "crash", None
            if self.current.value != seen:
                seen, since = self.current.value, time.monotonic()
            elif time.monotonic() - since > self.config.hang_seconds:
                return "hang", None
        try:
            return None, self.connection.recv()
        except EOFError:
            return "crash", None


def fuzz(config: FuzzConfig) -> Tally:
    """Run ``config.inputs`` inputs (the sweep counts toward them) and return the totals."""
    supervisor = Supervisor(config)
    supervisor.start()
    rebuild = _rebuilder(config)
    tally = Tally()
    started = time.perf_counter()
    try:
        for start in range(0, config.inputs, CHUNK):
            supervisor.run(start, min(start + CHUNK, config.inputs), tally, rebuild)
            if config.progress and (start // CHUNK) % 50 == 0:
                print(f"{start + CHUNK} inputs, {time.perf_counter() - started:.0f} s, "
                      f"{len(tally.findings)} findings", flush=True)
    finally:
        supervisor.stop()
    tally.seconds = time.perf_counter() - started
    tally.swept = supervisor.swept
    return tally


def _rebuilder(config: FuzzConfig):
    """A function regenerating input ``i`` in this process (only needed after a hang or crash)."""
    cache: dict[str, InputSource] = {}

    def rebuild(index: int) -> FuzzInput:
        if "source" not in cache:
            import tempfile

            with tempfile.TemporaryDirectory() as directory:
                cache["source"] = InputSource(seed_files(tiny_model(Path(directory))), config)
        return cache["source"][index]

    return rebuild


def fuzz_with_atheris(config: FuzzConfig) -> None:
    """Coverage-guided fuzzing of the same targets; libFuzzer reports crashes, hangs and memory."""
    import sys
    import tempfile

    import atheris

    with tempfile.TemporaryDirectory() as directory:
        model = tiny_model(Path(directory))
    layouts = [parse_layout(seed) for seed in seed_files(model)]
    container.MAX_PIXELS = config.max_pixels
    atheris.instrument_all()

    def test_one_input(raw: bytes) -> None:
        chooser = _ProviderChooser(atheris.FuzzedDataProvider(raw))
        deep = chooser.random() < config.deep
        data, operators = make_input(layouts, chooser, payloads_only=deep)
        run_input(FuzzInput(0, data, "+".join(operators), deep, public=False), model)

    atheris.Setup([sys.argv[0], f"-runs={config.inputs}", f"-timeout={config.hang_seconds}",
                   f"-rss_limit_mb={config.memory_mb}"], test_one_input)
    atheris.Fuzz()


class _ProviderChooser:
    """A :class:`~aecodec.tools.dev.fuzz.mutations.Chooser` drawing from an atheris FuzzedDataProvider."""

    def __init__(self, provider) -> None:
        self.provider = provider

    def randint(self, a: int, b: int) -> int:
        return self.provider.ConsumeIntInRange(a, b)

    def random(self) -> float:
        return self.provider.ConsumeProbability()

    def randbytes(self, n: int) -> bytes:
        return self.provider.ConsumeBytes(n).ljust(n, b"\0")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="How many inputs, the sweep included.")
    parser.add_argument("--out", type=Path, default=Path("results/fuzz.json"), help="JSON report; .md beside it.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--deep", type=float, default=0.1, help="Fraction decoded in full with the tiny model.")
    parser.add_argument("--public", type=float, default=0.02, help="Fraction decoded through the registry.")
    parser.add_argument("--max-pixels", type=int, default=1 << 18, help="Pixel limit while fuzzing.")
    parser.add_argument("--memory-mb", type=int, default=4096, help="Address-space cap of the worker.")
    parser.add_argument("--hang-seconds", type=int, default=30)
    parser.add_argument("--engine", choices=["random", "atheris"], default="random")
    args = parser.parse_args(argv)
    config = FuzzConfig(args.inputs, args.seed, args.deep, args.public, args.max_pixels, args.memory_mb,
                        args.hang_seconds, progress=True)
    if args.engine == "atheris":
        fuzz_with_atheris(config)
        return
    tally = fuzz(config)
    write_reports(config, tally, args.out)
    print(tally.summary())


if __name__ == "__main__":
    main()
