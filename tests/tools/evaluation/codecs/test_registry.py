"""Every codec adapter round-trips a small synthetic image into real bytes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from aecodec.codec.torch_support import torch_available
from aecodec.tools.evaluation.codecs.base import Codec, CodecUnavailable
from aecodec.tools.evaluation.codecs.registry import CODEC_NAMES, make_codec
from aecodec.tools.evaluation.metrics import bits_per_pixel, psnr


def codec_or_skip(name: str) -> Codec:
    try:
        return make_codec(name)
    except CodecUnavailable as reason:
        pytest.skip(f"{name}: {reason}")


@pytest.mark.parametrize("name", [n for n in CODEC_NAMES if not n.startswith("aecodec")])
def test_adapter_round_trips(name: str, make_image) -> None:
    codec = codec_or_skip(name)
    image = Image.fromarray(make_image(24, 40))
    quality = sorted(codec.default_qualities)[len(codec.default_qualities) // 2]
    data = codec.encode(image, quality)
    decoded = codec.decode(data)
    assert isinstance(codec, Codec)
    assert decoded.mode == "RGB" and decoded.size == image.size
    assert bits_per_pixel(len(data), *image.size) > 0
    assert psnr(np.asarray(image), np.asarray(decoded)) > 20.0
    assert name == codec.name and codec.description


def test_aecodec_adapter_round_trips(make_image) -> None:
    import aecodec

    if not hasattr(aecodec, "compress"):
        pytest.skip("aecodec.compress does not exist yet")
    codec = codec_or_skip("aecodec")
    image = Image.fromarray(make_image(64, 64))
    data = codec.encode(image, 55.0)
    assert len(data) > 0
    assert codec.decode(data).size == image.size


@pytest.mark.skipif(not torch_available(), reason="needs torch (pip install 'aecodec[torch]')")
def test_aecodec_effort_codecs_pass_their_effort_to_the_encoder(make_image) -> None:
    import aecodec

    codec = codec_or_skip("aecodec-e1")
    image = Image.fromarray(make_image(32, 48))
    refined, single_pass = codec.encode(image, 40.0), aecodec.compress(image, quality=40.0)
    assert (codec.name, codec.effort) == ("aecodec-e1", 1) and "effort 1" in codec.description
    assert refined == aecodec.compress(image, quality=40.0, effort=1) and refined != single_pass
    assert codec.decode(refined).size == image.size


def test_effort_codecs_are_named_but_not_run_by_default() -> None:
    from aecodec.tools.evaluation.codecs.registry import DEFAULT_CODECS

    assert {f"aecodec-e{effort}" for effort in range(1, 5)} <= set(CODEC_NAMES) - set(DEFAULT_CODECS)
    assert "aecodec" in DEFAULT_CODECS


def test_unknown_codec_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        make_codec("no-such-codec")


def test_jpeg_optimize_makes_smaller_files_than_defaults(make_image) -> None:
    image = Image.fromarray(make_image(48, 64))
    optimized, plain = make_codec("jpeg"), make_codec("jpeg-default")
    assert len(optimized.encode(image, 75)) < len(plain.encode(image, 75))
