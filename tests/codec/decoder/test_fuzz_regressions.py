"""Hostile files end in an image or a one-line AecError: the fuzz corpus, a seeded slice of the
fuzzer and hypothesis-driven mutations (see ``python -m aecodec.tools.dev.fuzz.decoder``)."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aecodec.bitstream import container
from aecodec.bitstream.container import SectionType
from aecodec.bitstream.entropy_coder import encode_symbols
from aecodec.codec.decoder.checkerboard import LatentStreams, read_latent
from aecodec.tools.dev.fuzz.decoder import FUZZ_HASH, FuzzInput, InputSource, check, run_input, seed_files
from aecodec.tools.dev.fuzz.mutations import make_input, parse_layout
from aecodec.tools.dev.fuzz.report import FuzzConfig, Tally

CORPUS = Path(__file__).parent / "fuzz_corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
FUZZ_PIXELS = FuzzConfig(inputs=0).max_pixels


@pytest.fixture(scope="module")
def fuzz_model(tiny_model):
    """The fuzzer's model: the tests' tiny model under the fixed hash its files carry."""
    return tiny_model.with_decoder(weights_hash=FUZZ_HASH)


@pytest.fixture(scope="module")
def source(fuzz_model):
    return InputSource(seed_files(fuzz_model), FuzzConfig(inputs=0, seed=11, deep=0.5, public=0.0))


@pytest.fixture(autouse=True)
def fuzz_pixel_limit(monkeypatch):
    monkeypatch.setattr(container, "MAX_PIXELS", FUZZ_PIXELS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_ends_as_recorded(fuzz_model, name):
    data = (CORPUS / name).read_bytes()
    outcome, message = run_input(FuzzInput(0, data, name, deep=True, public=False), fuzz_model)
    assert outcome == EXPECTED[name]["outcome"]
    assert "\n" not in message
    assert message.split("(")[0] == EXPECTED[name]["message"].split("(")[0]


def test_seeds_decode(fuzz_model, source):
    for seed in seed_files(fuzz_model):
        assert run_input(FuzzInput(0, seed, "seed", deep=True, public=False), fuzz_model) == ("decoded", "")


def test_seeded_slice_of_the_fuzzer(fuzz_model, source):
    """300 mutated inputs (half decoded in full) and every 40th input of the systematic sweep."""
    tally = Tally()
    start = len(source.swept)
    for index in [*range(0, start, 40), *range(start, start + 300)]:
        check(source[index], fuzz_model, tally)
    assert tally.findings == []
    assert tally.outcomes["decoded"] > 20 and tally.outcomes["StreamError"] > 5


class _HypothesisChooser:
    """A fuzz_inputs.Chooser drawing from hypothesis, so failures shrink to a small mutation."""

    def __init__(self, data) -> None:
        self.data = data

    def randint(self, a: int, b: int) -> int:
        return self.data.draw(st.integers(a, b))

    def random(self) -> float:
        return self.data.draw(st.floats(0.0, 1.0, exclude_max=True))

    def randbytes(self, n: int) -> bytes:
        return self.data.draw(st.binary(min_size=n, max_size=n))


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_hypothesis_driven_mutations(fuzz_model, source, data):
    chooser = _HypothesisChooser(data)
    deep = chooser.random() < 0.5
    mutated, operators = make_input(source.layouts, chooser, payloads_only=deep)
    tally = Tally()
    check(FuzzInput(0, mutated, "+".join(operators), deep, public=False), fuzz_model, tally)
    assert tally.findings == []


def test_latent_beyond_the_coded_range_is_a_stream_error(fuzz_model):
    """A stream whose escapes decode to an absurd latent (2**21) is refused before synthesis."""
    layout = parse_layout(seed_files(fuzz_model)[1])
    header = container.unpack(layout.build()).header
    read = read_latent(fuzz_model, _streams(layout), header.height, header.width).symbols
    values = read.y_values.copy()
    values[0] = 1 << 21
    latent = next(section for section in layout.sections if section.kind == SectionType.LATENT)
    anchors = slice(0, read.anchor_count)
    latent.payload = encode_symbols(values[anchors], read.y_tables[anchors], fuzz_model.y_tables)
    outcome, message = run_input(FuzzInput(0, layout.build(), "escape", deep=True, public=False), fuzz_model)
    assert (outcome, message) == ("StreamError", "latent out of range (corrupted file)")


def _streams(layout):
    return LatentStreams.from_sections({section.kind: section.payload for section in layout.sections})
