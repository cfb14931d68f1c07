"""The size search behind the viewer: the largest file within a byte budget, from measured hints."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PIL import Image

from aecodec.tools.evaluation.codecs.registry import make_codec
from aecodec.tools.evaluation.matched_size import encode_within


@dataclass
class Counting:
    """A codec wrapper that records the qualities it encoded at."""

    codec: object
    qualities: list[float] = field(default_factory=list)

    @property
    def integer_quality(self) -> bool:
        return getattr(self.codec, "integer_quality", False)

    def encode(self, image, quality):
        self.qualities.append(quality)
        return self.codec.encode(image, quality)


@pytest.fixture
def image(make_image) -> Image.Image:
    return Image.fromarray(make_image(64, 80, 3))


@pytest.mark.parametrize("name", ["jpeg", "webp", "pca"])
def test_the_file_fits_the_budget_and_nearly_fills_it(name: str, image: Image.Image) -> None:
    codec = make_codec(name)
    budget = len(codec.encode(image, 50)) + 37
    found = encode_within(codec, image, budget)
    assert found.within and 0.9 * budget <= len(found.data) <= budget
    assert found.data == codec.encode(image, found.quality)


def test_integer_quality_codecs_get_whole_qualities(image: Image.Image) -> None:
    codec = Counting(make_codec("jpeg"))
    encode_within(codec, image, 1500)
    assert all(q == int(q) for q in codec.qualities)


def test_measured_sizes_shorten_the_search(image: Image.Image) -> None:
    pca = make_codec("pca")
    known = [(q, len(pca.encode(image, q))) for q in (30.0, 40.0, 50.0, 60.0)]
    budget = (known[1][1] + known[2][1]) // 2
    blind, hinted = Counting(pca), Counting(pca)
    assert encode_within(blind, image, budget).within and encode_within(hinted, image, budget, known).within
    assert len(hinted.qualities) < len(blind.qualities)
    assert all(40.0 < q < 50.0 for q in hinted.qualities)


def test_a_budget_below_the_lowest_quality_gives_that_file_marked_over(image: Image.Image) -> None:
    codec = Counting(make_codec("jpeg"))
    found = encode_within(codec, image, 50)
    assert not found.within and found.quality == 0.0 and len(found.data) > 50
    assert len(codec.qualities) <= 3
