"""Speed and memory against the peers, in one run: in-process decode and encode of a Kodak image by
aecodec and CompressAI's mbt2018-mean under each given Python environment (say one with NumPy < 2
and one with NumPy ≥ 2), ``g_s`` and the exact path alone on each engine, and the command lines
in new processes (start-up included) against Pillow's AVIF, WebP and JPEG XL, with peak RSS.

    python -m aecodec.tools.dev.bench.speed IMAGE --python ENV1/bin/python --python ENV2/bin/python \\
        --out results/speed

Each in-process figure comes from a fresh worker process (:mod:`aecodec.tools.dev.bench.speed_worker`) that
times the task ``--repeats`` times after one untimed call; the rounds interleave every task and
environment, and the report gives the median over all timed calls (the minimum beside it), so a
machine that is busy for a while slows every alternative alike. Writes ``OUT/speed.json`` and
``OUT/speed.md``, each with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image

from aecodec.tools.evaluation.machine import describe_machine

IN_PROCESS = ("aecodec-decode", "mbt2018-decode", "aecodec-encode", "mbt2018-encode")
ENGINE_TASKS = ("gs-onnxruntime", "gs-onnxruntime-subpixel-all", "gs-onnxruntime-convtranspose-all", "gs-numpy",
                "gs-torch", "exact-onnxruntime", "exact-numpy")
QUALITY = 50
PILLOW_ENCODE = {
    "avif": "image.save(out, 'AVIF', quality={q}, speed=4, subsampling='4:4:4')",
    "webp": "image.save(out, 'WEBP', quality={q}, method=6)",
    "jxl": "import pillow_jxl; image.save(out, 'JXL', quality={q}, effort=7)",
}
PILLOW_DECODE = "import sys; {plugin}from PIL import Image; Image.open(sys.argv[1]).save(sys.argv[2])"


@dataclass
class Timed:
    """Every timed call of one task in one environment, in seconds; ``rss_mb`` for new processes."""

    task: str
    environment: str
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _label(python: str) -> str:
    numpy = subprocess.run([python, "-c", "import numpy; print(numpy.__version__)"], capture_output=True, text=True)
    return f"NumPy {numpy.stdout.strip() or '?'}"


def worker(python: str, task: str, image: Path, repeats: int) -> dict | None:
    """One worker's record, or None where the task cannot run there (CompressAI missing, ...)."""
    run = subprocess.run([python, "-m", "aecodec.tools.dev.bench.speed_worker", task, str(image), "--repeats", str(repeats)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        print(f"{task} under {python}: {run.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(run.stdout.strip().splitlines()[-1])


def timed_process(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one new process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-300:]}")
    return seconds, usage.ru_maxrss / 1024


def command_lines(image: Path, work: Path) -> dict[str, list[str]]:
    """The new-process commands, by task name: aecodec's CLI and Pillow's codecs, both directions."""
    python = sys.executable
    commands = {
        "aecodec compress": [python, "-m", "aecodec.tools.cli", "compress", str(image), "-o", str(work / "x.aec"),
                             "-q", str(QUALITY), "-f"],
        "aecodec decompress": [python, "-m", "aecodec.tools.cli", "decompress", str(work / "x.aec"), "-o",
                               str(work / "aec.png"), "-f"],
    }
    for codec, save in PILLOW_ENCODE.items():
        encoded = work / f"x.{codec}"
        script = f"import sys; from PIL import Image; image = Image.open(sys.argv[1]); out = sys.argv[2]; " \
                 f"{save.format(q=QUALITY)}"
        commands[f"pillow {codec} encode"] = [python, "-c", script, str(image), str(encoded)]
        plugin = "import pillow_jxl; " if codec == "jxl" else ""
        commands[f"pillow {codec} decode"] = [python, "-c", PILLOW_DECODE.format(plugin=plugin), str(encoded),
                                              str(work / f"{codec}.png")]
    return commands


def run(image: Path, pythons: list[str], rounds: int, repeats: int, tasks: tuple[str, ...] = IN_PROCESS + ENGINE_TASKS,
        command_line: bool = True) -> dict:
    """Every measurement (the in-process ``tasks``, and the new processes when ``command_line``),
    interleaved over ``rounds``."""
    labels = {python: _label(python) for python in pythons}
    results: dict[tuple[str, str], Timed] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        commands = command_lines(image, work) if command_line else {}
        for _ in range(rounds):
            for task in tasks:
                for python in pythons:
                    record = worker(python, task, image, repeats)
                    if record is not None:
                        entry = results.setdefault((task, labels[python]), Timed(task, labels[python]))
                        entry.seconds += record["seconds"]
                        entry.versions = record["versions"]
            for name, command in commands.items():
                seconds, rss = timed_process(command)
                entry = results.setdefault((name, "new process"), Timed(name, "new process"))
                entry.seconds.append(seconds)
                entry.rss_mb.append(rss)
        sizes = {name: (work / f"x.{name}").stat().st_size for name in ("aec", *PILLOW_ENCODE) if command_line}
    with Image.open(image) as opened:
        width, height = opened.size
    return {"image": image.name, "size": f"{width}x{height}", "quality": QUALITY, "rounds": rounds,
            "repeats": repeats, "machine": describe_machine().as_dict(), "threads": os.environ.get("OMP_NUM_THREADS"),
            "bytes": sizes, "results": [asdict(entry) | {"median": entry.median} for entry in results.values()]}


def encoder_agreement(images: list[Path], quality: float = QUALITY) -> list[dict]:
    """Effort-0 files of each image with ``g_a``/``h_a`` on onnxruntime (the torch-free encoder)
    and on torch (the torch encoder): bytes and RGB PSNR of each decoded file (needs torch)."""
    from aecodec.codec.decoder.api import decompress
    from aecodec.codec.decoder.checkerboard import LatentStreams
    from aecodec.codec.encoder.analysis import encode
    from aecodec.codec.encoder.api import prepare
    from aecodec.codec.encoder.targets import rgb_psnr
    from aecodec.codec.weights.registry import load_encoder

    model = load_encoder()
    rows = []
    for path in images:
        with Image.open(path) as opened:
            original = opened.convert("RGB")
        prepared = prepare(model, original, quality)
        for engine in ("onnxruntime", "torch"):
            streams: LatentStreams = encode(model, prepared.color, quality, engine=engine)
            data = prepared.pack(streams)
            rows.append({"image": path.name, "engine": engine, "bytes": len(data),
                         "psnr": round(rgb_psnr(original, decompress(data)), 3)})
    return rows


def markdown(record: dict) -> str:
    """The report: in-process, engines, command lines."""
    rows = {(entry["task"], entry["environment"]): entry for entry in record["results"]}
    machine = record["machine"]
    lines = [f"# Speed: {record['image']} ({record['size']}), quality {record['quality']}", "",
             f"Machine: {machine['processor']}, {machine['cores']} cores, {machine['system']}, Python "
             f"{machine['python']}; OMP_NUM_THREADS={record['threads']}. {record['rounds']} interleaved rounds; "
             f"medians over every timed call (min in brackets), seconds.", "", "## In process", "",
             "| task | environment | median | min | versions |", "|---|---|---:|---:|---|"]
    for (task, environment), entry in rows.items():
        if environment == "new process":
            continue
        versions = ", ".join(f"{k} {v}" for k, v in entry["versions"].items())
        lines.append(f"| {task} | {environment} | {entry['median']:.3f} | {min(entry['seconds']):.3f} | {versions} |")
    lines += ["", "## New processes (start-up included)", "", "| command | median (s) | min (s) | peak RSS (MB) |",
              "|---|---:|---:|---:|"]
    for (task, environment), entry in rows.items():
        if environment == "new process":
            lines.append(f"| {task} | {entry['median']:.3f} | {min(entry['seconds']):.3f} | {max(entry['rss_mb']):.0f} |")
    if record["bytes"]:
        lines += ["", "File sizes (bytes): " + ", ".join(f"{k} {v}" for k, v in record["bytes"].items()), ""]
    if record.get("encoders"):
        lines += ["## The torch-free encoder against the torch encoder (effort 0)", "",
                  "`g_a`/`h_a` on onnxruntime or on torch; the same exact path, rounding and coder; each file decoded "
                  "by the default decoder.", "", "| image | engine | bytes | PSNR (dB) |", "|---|---|---:|---:|"]
        lines += [f"| {row['image']} | {row['engine']} | {row['bytes']} | {row['psnr']:.3f} |" for row in record["encoders"]]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("image", type=Path)
    parser.add_argument("--python", action="append", dest="pythons", help="Interpreter of an environment to measure.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("results/speed"))
    parser.add_argument("--task", action="append", dest="tasks", choices=IN_PROCESS + ENGINE_TASKS,
                        help="Only these in-process tasks (repeatable).  [default: all]")
    parser.add_argument("--no-command-line", action="store_true", help="Leave out the new-process comparison.")
    parser.add_argument("--agreement", type=Path, nargs="*", default=[],
                        help="Images on which to compare the torch-free and the torch encoder (needs torch).")
    args = parser.parse_args(argv)
    tasks = tuple(args.tasks) if args.tasks else IN_PROCESS + ENGINE_TASKS
    record = run(args.image, args.pythons or [sys.executable], args.rounds, args.repeats, tasks,
                 not args.no_command_line)
    record["encoders"] = encoder_agreement(args.agreement)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(json.dumps(record, indent=2) + "\n")
    (args.out / "speed.md").write_text(markdown(record))
    print(markdown(record))


if __name__ == "__main__":
    main()
