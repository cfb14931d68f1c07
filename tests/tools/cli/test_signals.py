"""A batch stopped by SIGTERM or killed by SIGKILL takes its workers with it: no worker left
running, no output appearing after the command is gone, no temporary file left behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import numpy as np
import pytest
from PIL import Image

from aecodec.tools.cli.failures import GuardedGroup, Terminated, raise_if_interrupted, sigterm_interrupts

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
DEADLINE = 120.0


def _children(pid: int) -> set[int]:
    """The worker processes of ``pid`` (not multiprocessing's resource tracker, which ends by itself)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z" and b"spawn_main" in command:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition, what: str) -> None:
    """Poll ``condition`` until true; fail (not a timing assertion: a hang guard) after DEADLINE."""
    end = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def busy_batch(tmp_path):
    """A two-worker batch of many images at effort 2, running until a first output has appeared."""
    pytest.importorskip("torch", reason="the batch is kept busy at effort 2, which needs torch (pip install 'aecodec[torch]')")
    source = tmp_path / "in"
    source.mkdir()
    for index in range(60):
        pixels = np.random.default_rng(index).integers(0, 256, (64, 64, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(source / f"{index:02}.png")
    out = tmp_path / "out"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "aecodec.tools.cli", "compress", str(source), "-o", str(out), "-j", "2", "-e", "2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_for(lambda: out.is_dir() and any(path.suffix == ".aec" for path in out.iterdir()), "a first output")
    workers = _children(process.pid)
    yield process, workers, out
    if process.poll() is None:
        process.kill()
        process.wait()


def _settled(out: Path) -> list[str]:
    return sorted(path.name for path in out.iterdir())


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_stop_the_workers_before_the_command_exits(busy_batch, signum):
    process, workers, out = busy_batch
    assert len(workers) >= 2
    process.send_signal(signum)
    status = process.wait(timeout=DEADLINE)
    assert status == (143 if signum == signal.SIGTERM else 1)
    assert not any(_alive(pid) for pid in workers)
    outputs = _settled(out)
    assert len(outputs) < 60 and not any(name.endswith(".part") for name in outputs)
    assert "Traceback" not in process.stderr.read().decode()


def test_sigkill_of_the_command_takes_its_workers(busy_batch):
    process, workers, out = busy_batch
    process.kill()
    process.wait(timeout=DEADLINE)
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "the workers to die with their parent")
    outputs = _settled(out)
    assert len(outputs) < 60
    assert not any(name.endswith(".part") for name in outputs)


@pytest.mark.parametrize(("signum", "interrupt"), [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)])
def test_an_interrupt_whose_exception_was_lost_is_raised_again(signum, interrupt):
    with sigterm_interrupts():
        try:
            os.kill(os.getpid(), signum)
            time.sleep(1)
        except KeyboardInterrupt:
            pass
        with pytest.raises(interrupt):
            raise_if_interrupted()
    raise_if_interrupted()


def test_a_command_that_ends_after_a_lost_interrupt_still_stops_as_interrupted(runner):
    @click.group(cls=GuardedGroup)
    def group():
        pass

    @group.command()
    def swallow():
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            pass

    assert runner.invoke(group, ["swallow"]).exit_code == 1
