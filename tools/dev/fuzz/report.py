"""Fuzzing records: the run's settings, its totals and findings, and the JSON and Markdown reports."""

from __future__ import annotations

import json
import platform
import re
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_FINDINGS = 200
MAX_INPUT_HEX = 16_384
HARDENING_HISTORY = """## Findings while hardening, and their fixes

The same harness run on the decoder as it was before (40,000 inputs, seed 0, 30% decoded in full):

- **constriction's `AssertionError` escaped the decoder** (229 inputs, e.g. a header bit flip with
  the CRC fixed, so the latent is read with other tables): `RangeDecoder.decode` raises
  `AssertionError` on words that no encoder with these tables writes. Fix: `entropy_coder` turns
  it into `StreamError: coded data is not valid for its probability tables (corrupted file)`.
- **Pillow's `DecompressionBombError` escaped the alpha decoder** (38 inputs: an alpha PNG whose
  IHDR claims billions of pixels, its chunk CRC recomputed). Fix: `images.decode_alpha` maps every
  PNG failure (also `SyntaxError`, `EOFError`, `zlib.error`, unidentified data) to a one-line
  `ContainerError: bad alpha section: ...`, and the plane's size is checked against the header
  (itself checked against `MAX_PIXELS`) before its pixels are decoded.

Hardened without a failing input: the escape count is checked against the number of symbols
before anything is allocated; decoded latents beyond `Y_LIMIT` (2**20) are a `StreamError`; the
pixel limit (`aecodec.bitstream.container.MAX_PIXELS`) bounds every loop and allocation that a
header field drives, and applies to the padded size too (found by reading, not by fuzzing: a
1 × N image is 64 × N pixels of work); every error class derives from `AecError`.
Those inputs and one input per distinct outcome are the regression corpus in
`tests/codec/decoder/fuzz_corpus/` (`expected.json` says how each must end).
"""


@dataclass(frozen=True)
class FuzzConfig:
    """``deep``/``public``: fractions of mutated inputs decoded in full (tiny model / registry);
    ``max_pixels`` is the decoder's pixel limit during the run; ``memory_mb`` the worker's address
    space; ``hang_seconds`` how long one input may run."""

    inputs: int
    seed: int = 0
    deep: float = 0.1
    public: float = 0.02
    max_pixels: int = 1 << 18
    memory_mb: int = 4096
    hang_seconds: int = 30
    progress: bool = False


@dataclass(frozen=True)
class Finding:
    """An input that broke the contract: what it was, what happened, and its bytes (hex, capped)."""

    index: int
    origin: str
    kind: str
    message: str
    data_hex: str

    @classmethod
    def of(cls, item, kind: str, message: str) -> Finding:
        return cls(item.index, item.origin, kind, message, item.data.hex()[:MAX_INPUT_HEX])

    @classmethod
    def escaped(cls, item, error: Exception) -> Finding:
        """An exception that escaped the code under test, with where it was raised, on one line."""
        frame = traceback.extract_tb(error.__traceback__)[-1]
        detail = f"{error} (at {Path(frame.filename).name}:{frame.lineno} in {frame.name})"
        return cls.of(item, type(error).__name__, " ".join(detail.split()))


@dataclass
class Tally:
    """Totals over inputs. ``outcomes`` counts ``decoded``, ``parsed``, each error class and
    ``finding``; ``messages`` counts error messages with their numbers replaced by ``#``."""

    inputs: int = 0
    outcomes: Counter = field(default_factory=Counter)
    messages: Counter = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    full_decodes: int = 0
    full_decode_seconds: float = 0.0
    slowest_seconds: float = 0.0
    slowest_index: int = -1
    peak_rss_mb: float = 0.0
    seconds: float = 0.0
    swept: int = 0

    def record(self, outcome: str, message: str) -> None:
        self.inputs += 1
        self.outcomes[outcome] += 1
        if message:
            self.messages[f"{outcome}: {re.sub(r'[0-9]+', '#', message)[:120]}"] += 1

    def record_finding(self, finding: Finding) -> None:
        self.inputs += 1
        self.outcomes["finding"] += 1
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)

    def record_time(self, index: int, seconds: float, full: bool) -> None:
        if full:
            self.full_decodes += 1
            self.full_decode_seconds += seconds
        if seconds > self.slowest_seconds:
            self.slowest_seconds, self.slowest_index = seconds, index

    def merge(self, other: Tally) -> None:
        self.inputs += other.inputs
        self.outcomes.update(other.outcomes)
        self.messages.update(other.messages)
        self.findings.extend(other.findings[: MAX_FINDINGS - len(self.findings)])
        self.full_decodes += other.full_decodes
        self.full_decode_seconds += other.full_decode_seconds
        if other.slowest_seconds > self.slowest_seconds:
            self.slowest_seconds, self.slowest_index = other.slowest_seconds, other.slowest_index
        self.peak_rss_mb = max(self.peak_rss_mb, other.peak_rss_mb)

    def summary(self) -> str:
        counts = ", ".join(f"{name} {count}" for name, count in self.outcomes.most_common())
        return f"{self.inputs} inputs in {self.seconds:.0f} s: {counts}"


def write_reports(config: FuzzConfig, tally: Tally, out: Path) -> None:
    """``out`` (JSON) and the same name with ``.md``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "config": asdict(config),
        "machine": {"python": platform.python_version(), "processor": platform.processor() or platform.machine()},
        "inputs": tally.inputs,
        "swept": tally.swept,
        "seconds": round(tally.seconds, 1),
        "inputs_per_second": round(tally.inputs / max(tally.seconds, 1e-9)),
        "outcomes": dict(tally.outcomes.most_common()),
        "full_decodes": tally.full_decodes,
        "mean_full_decode_ms": round(1e3 * tally.full_decode_seconds / max(tally.full_decodes, 1), 2),
        "slowest_input": {"index": tally.slowest_index, "seconds": round(tally.slowest_seconds, 3)},
        "worker_peak_rss_mb": round(tally.peak_rss_mb),
        "messages": dict(tally.messages.most_common(40)),
        "findings": [asdict(finding) for finding in tally.findings],
    }
    out.write_text(json.dumps(record, indent=2) + "\n")
    out.with_suffix(".md").write_text(_markdown(record))


def _markdown(record: dict) -> str:
    config = record["config"]
    lines = [
        "# Fuzzing the .aec reader and decoder",
        "",
        f"`python -m aecodec.tools.dev.fuzz.decoder --inputs {config['inputs']} --seed {config['seed']} --deep {config['deep']} "
        f"--public {config['public']}` (OMP_NUM_THREADS=1, one worker process).",
        "",
        f"- inputs: **{record['inputs']}** ({record['swept']} from the systematic sweep) in "
        f"{record['seconds']} s ({record['inputs_per_second']} per second)",
        f"- sent to the full decoder: {record['full_decodes']} (mean {record['mean_full_decode_ms']} ms each); "
        f"slowest input {record['slowest_input']['seconds']} s",
        f"- worker peak RSS {record['worker_peak_rss_mb']} MB under a {config['memory_mb']} MB address-space cap; "
        f"pixel limit {config['max_pixels']}; hang deadline {config['hang_seconds']} s",
        f"- findings (anything but an image or a one-line AecError): **{len(record['findings'])}**",
        "",
        "| outcome | inputs |",
        "| --- | ---: |",
        *(f"| {name} | {count} |" for name, count in record["outcomes"].items()),
        "",
        "Most common rejections (numbers shown as #):",
        "",
        "| message | inputs |",
        "| --- | ---: |",
        *(f"| {message.replace('|', '/')} | {count} |" for message, count in record["messages"].items()),
        "",
    ]
    if record["findings"]:
        lines += ["## Findings", "", "| input | made by | outcome | message |", "| ---: | --- | --- | --- |"]
        lines += [f"| {f['index']} | {f['origin']} | {f['kind']} | {f['message'][:160].replace('|', '/')} |"
                  for f in record["findings"]]
        lines.append("")
    return "\n".join(lines) + "\n" + HARDENING_HISTORY


def machine() -> dict:
    """The machine a run was made on: CPU model and count, Python, Pillow and the system."""
    import os

    import PIL

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "system": platform.platform(), "python": platform.python_version(),
            "pillow": PIL.__version__}


def write_io_report(title: str, command: str, tally: Tally, out: Path) -> None:
    """A run of :mod:`aecodec.tools.dev.fuzz.images` or :mod:`aecodec.tools.dev.fuzz.cli`: ``out`` (JSON)
    and the same name with ``.md``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "command": command,
        "machine": machine(),
        "inputs": tally.inputs,
        "seconds": round(tally.seconds, 1),
        "outcomes": dict(tally.outcomes.most_common()),
        "unhandled": tally.outcomes.get("finding", 0),
        "slowest_input": {"index": tally.slowest_index, "seconds": round(tally.slowest_seconds, 3)},
        "peak_rss_mb": round(tally.peak_rss_mb),
        "messages": dict(tally.messages.most_common(40)),
        "findings": [asdict(finding) for finding in tally.findings],
    }
    out.write_text(json.dumps(record, indent=2) + "\n")
    lines = [f"# {title}", "", f"`{command}`", "",
             f"- machine: {record['machine']['cpu']}, {record['machine']['cpus']} CPUs, {record['machine']['system']}, "
             f"Python {record['machine']['python']}, Pillow {record['machine']['pillow']}",
             f"- inputs: **{record['inputs']}** in {record['seconds']} s; slowest input "
             f"{record['slowest_input']['seconds']} s",
             f"- unhandled outcomes (a traceback, a bug line, a crash, a broken contract): **{record['unhandled']}**"]
    if tally.peak_rss_mb:
        lines.append(f"- largest peak RSS of one run: {record['peak_rss_mb']} MB")
    lines += ["", "| outcome | inputs |", "| --- | ---: |",
              *(f"| {name} | {count} |" for name, count in record["outcomes"].items()),
              "", "Most common messages (numbers shown as #):", "", "| message | inputs |", "| --- | ---: |",
              *(f"| {message.replace('|', '/')} | {count} |" for message, count in record["messages"].items()), ""]
    if record["findings"]:
        lines += ["## Findings", "", "| input | made by | outcome | message |", "| ---: | --- | --- | --- |"]
        lines += [f"| {f['index']} | {f['origin']} | {f['kind']} | {f['message'][:160].replace('|', '/')} |"
                  for f in record["findings"]]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
