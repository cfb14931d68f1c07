"""Fuzz the command line's I/O: ``python -m aecodec.tools.dev.fuzz.cli --runs N --out results/fuzz-cli.json``.

Each run starts ``aecodec`` as a new process (under a 2 GiB address-space cap) on one drawn case:
standard input from ``/dev/zero``, ``/dev/urandom``, a valid, truncated, extended or damaged file,
or nothing; a device, a FIFO or a folder as the input path; ``/dev/full``, ``/dev/null``, an
existing file, a dangling symbolic link or a FIFO as the output; SIGTERM or SIGINT at a random
moment 0.5-3 s after the start (once the command runs; a signal during the interpreter's own
start-up meets Python's defaults). The contract, checked after each run: no traceback and no
internal-error line; a failure ends in one ``Error:`` line (``aecodec: terminated`` for SIGTERM,
click's ``Aborted!`` for SIGINT) with status 1 (or 143, or killed by SIGTERM before the command
started); no temporary
``.part`` file is left; no output file appears when the run failed; a file that existed before
is unchanged; and the run ends within the hang deadline. Run ``i`` is drawn from
``random.Random(f"{seed}:{i}")`` alone.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from aecodec.tools.dev.fuzz.report import Tally

HANG_SECONDS = 120
MEMORY_BYTES = 2 << 30
CASES = ("decompress-stdin", "decompress-path", "decompress-output", "info", "compress-stdin", "compress-path",
         "signal")


@dataclass(frozen=True)
class CliRun:
    """One drawn run: arguments, what feeds stdin, the output it may create, files it must keep."""

    index: int
    case: str
    arguments: list[str]
    stdin: str | bytes | None = None
    output: str | None = None
    kept: dict[str, bytes] = field(default_factory=dict)
    signal_after: float | None = None
    feed_fifo: str | None = None

    @property
    def origin(self) -> str:
        return f"{self.case}: aecodec {' '.join(self.arguments)}"

    @property
    def data(self) -> bytes:
        return self.stdin if isinstance(self.stdin, bytes) else b""


def fixtures(directory: Path) -> dict[str, bytes]:
    """A small PNG and its ``.aec`` file (from the shipped model, as a user would have), by name."""
    from aecodec.codec.encoder.api import compress

    pixels = np.random.default_rng(3).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    large = np.random.default_rng(4).integers(0, 256, (512, 512, 3), dtype=np.uint8)
    return {"png": buffer.getvalue(), "aec": compress(pixels, quality=60), "large.aec": compress(large, quality=90)}


def draw(index: int, seed: int, files: dict[str, bytes], work: Path) -> CliRun:
    """Run ``index``: a case and its details, drawn from ``random.Random(f"{seed}:{index}")``."""
    chooser = random.Random(f"{seed}:{index}")
    case = CASES[chooser.randrange(len(CASES))]
    aec, png = files["aec"], files["png"]
    if case == "decompress-stdin":
        return CliRun(index, case, ["decompress", "-", "-o", "out.png"], _stdin(chooser, aec), "out.png")
    if case == "compress-stdin":
        return CliRun(index, case, ["compress", "-", "-o", "out.aec"], _stdin(chooser, png), "out.aec")
    if case in ("decompress-path", "info", "compress-path"):
        path, feed = _path(chooser, work)
        command = {"decompress-path": ["decompress", path, "-o", "out.png"], "info": ["info", path],
                   "compress-path": ["compress", path, "-o", "out.aec"]}[case]
        return CliRun(index, case, command, None, None if case == "info" else command[-1], feed_fifo=feed)
    if case == "decompress-output":
        return _output_case(index, chooser, work)
    return CliRun(index, case, ["decompress", "large.aec", "-o", "big.png"], output="big.png",
                  signal_after=chooser.uniform(0.5, 3.0))


def _stdin(chooser: random.Random, valid: bytes) -> str | bytes:
    kind = chooser.choice(["zero", "urandom", "valid", "truncated", "extended", "damaged", "empty"])
    if kind in ("zero", "urandom"):
        return f"/dev/{kind}"
    if kind == "truncated":
        return valid[: chooser.randrange(len(valid))]
    if kind == "extended":
        return valid + chooser.randbytes(chooser.randint(1, 4096))
    if kind == "damaged":
        damaged = bytearray(valid)
        for _ in range(chooser.randint(1, 8)):
            damaged[chooser.randrange(len(damaged))] = chooser.randrange(256)
        return bytes(damaged)
    return valid if kind == "valid" else b""


def _path(chooser: random.Random, work: Path) -> tuple[str, str | None]:
    kind = chooser.choice(["/dev/zero", "/dev/urandom", "fifo", "folder", "missing", "aec", "png"])
    if kind == "fifo":
        return "feed.fifo", "feed.fifo"
    return {"folder": ".", "missing": "nowhere.aec", "aec": "in.aec", "png": "in.png"}.get(kind, kind), None


def _output_case(index: int, chooser: random.Random, work: Path) -> CliRun:
    kind = chooser.choice(["/dev/full", "/dev/null", "existing", "dangling", "fifo", "missing-dir"])
    if kind == "existing":
        return CliRun(index, "decompress-output", ["decompress", "in.aec", "-o", "kept.png"],
                      kept={"kept.png": b"not to be replaced"})
    if kind == "dangling":
        return CliRun(index, "decompress-output", ["decompress", "in.aec", "-o", "dangling.png"],
                      kept={"victim.txt": b"precious"})
    if kind == "fifo":
        return CliRun(index, "decompress-output", ["decompress", "in.aec", "-o", "drain.fifo"])
    target = "nowhere/out.png" if kind == "missing-dir" else kind
    return CliRun(index, "decompress-output", ["decompress", "in.aec", "-o", target])


def prepare_directory(work: Path, files: dict[str, bytes], run: CliRun) -> None:
    """A fresh folder with the run's inputs, planted files and FIFOs."""
    for child in work.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    (work / "in.aec").write_bytes(files["aec"])
    (work / "in.png").write_bytes(files["png"])
    (work / "large.aec").write_bytes(files["large.aec"])
    for name, content in run.kept.items():
        (work / name).write_bytes(content)
    if "dangling.png" in run.arguments:
        (work / "dangling.png").symlink_to(work / "victim.txt")
    for fifo in ("feed.fifo", "drain.fifo"):
        if fifo in run.arguments:
            os.mkfifo(work / fifo)


def execute(run: CliRun, work: Path) -> tuple[int, str]:
    """Start the run and wait for it (feeding and draining FIFOs, sending the signal); returns its
    status and stderr. A run still going after :data:`HANG_SECONDS` is killed: status -9."""
    stdin = _open_stdin(run, work)
    command = [sys.executable, "-m", "aecodec.tools.cli", *run.arguments]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("AECODEC_TRACEBACK", None)
    process = subprocess.Popen(command, cwd=work, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env, preexec_fn=_cap_memory)
    helpers = [threading.Thread(target=_feed, args=(work / "feed.fifo",), daemon=True)] if run.feed_fifo else []
    if "drain.fifo" in run.arguments:
        helpers.append(threading.Thread(target=_drain, args=(work / "drain.fifo",), daemon=True))
    for helper in helpers:
        helper.start()
    if run.signal_after is not None:
        time.sleep(run.signal_after)
        process.send_signal(signal.SIGTERM if run.index % 2 else signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=HANG_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        return -9, stderr.decode(errors="replace")
    finally:
        if hasattr(stdin, "close"):
            stdin.close()
    return process.returncode, stderr.decode(errors="replace")


def _open_stdin(run: CliRun, work: Path):
    if isinstance(run.stdin, str):
        return open(run.stdin, "rb")
    if isinstance(run.stdin, bytes):
        path = work / "stdin.bin"
        path.write_bytes(run.stdin)
        return path.open("rb")
    return subprocess.DEVNULL


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _feed(fifo: Path) -> None:
    try:
        with fifo.open("wb") as writer:
            while True:
                writer.write(bytes(1 << 16))
    except OSError:
        return


def _drain(fifo: Path) -> None:
    with fifo.open("rb") as reader:
        while reader.read(1 << 16):
            pass


def broken_contract(run: CliRun, status: int, stderr: str, work: Path) -> str | None:
    """What the run did wrong, or None."""
    lines = [line for line in stderr.strip().splitlines() if not line.startswith("warning: ")]
    if status == -9:
        return f"still running after {HANG_SECONDS} s"
    if "Traceback" in stderr or "a bug in aecodec" in stderr:
        return "traceback or internal error: " + " ".join(stderr.split())[-300:]
    if status not in (0, 1, 143) and not (run.signal_after is not None and status == -signal.SIGTERM):
        return f"exit status {status}"
    if status > 0 and (len(lines) != 1 or not lines[0].startswith(("Error:", "aecodec: terminated", "Aborted!"))):
        return "failure is not one line: " + " | ".join(lines)[:300]
    if any(path.name.endswith(".part") for path in work.iterdir()):
        return "temporary file left behind"
    if status != 0 and run.output and (work / run.output).is_file() and not (work / run.output).is_symlink():
        return f"output {run.output} written by a failed run"
    changed = [name for name, content in run.kept.items() if (work / name).read_bytes() != content]
    return f"changed {', '.join(changed)}" if changed else None


def fuzz_cli(runs: int, seed: int) -> Tally:
    """Make ``runs`` runs and return the totals (outcome: exit status and first error words)."""
    from aecodec.tools.dev.fuzz.report import Finding

    tally = Tally()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        files = fixtures(work)
        for index in range(runs):
            run = draw(index, seed, files, work)
            prepare_directory(work, files, run)
            start = time.perf_counter()
            status, stderr = execute(run, work)
            tally.record_time(index, time.perf_counter() - start, False)
            problem = broken_contract(run, status, stderr, work)
            if problem is not None:
                tally.record_finding(Finding.of(run, "broken contract", problem))
                continue
            last = (stderr.strip().splitlines() or [""])[-1]
            tally.record(f"{run.case} exit {status}", last if status else "")
    tally.seconds = time.perf_counter() - started
    tally.peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return tally


def main(argv: list[str] | None = None) -> None:
    from aecodec.tools.dev.fuzz.report import write_io_report

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("results/fuzz-cli.json"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    tally = fuzz_cli(args.runs, args.seed)
    command = f"python -m aecodec.tools.dev.fuzz.cli --runs {args.runs} --seed {args.seed}"
    write_io_report("Fuzzing the command line's I/O: pipes, devices, FIFOs, planted files, signals", command, tally,
                    args.out)
    print(tally.summary())


if __name__ == "__main__":
    main()
