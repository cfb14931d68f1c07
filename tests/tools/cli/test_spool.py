"""Images from pipes and devices: Pillow reads a spool only as far as it needs, up to a limit."""

import io

import numpy as np
import pytest
from PIL import Image, UnidentifiedImageError

from aecodec.tools.cli import spool as spool_module
from aecodec.tools.cli.spool import InputTooLarge, SpooledInput


def test_pillow_gives_up_on_endless_zeros_after_a_few_bytes(endless):
    with pytest.raises(UnidentifiedImageError):
        Image.open(SpooledInput(endless))
    assert endless.served <= 1 << 16


def test_past_the_limit_the_stream_is_refused(monkeypatch, endless):
    monkeypatch.setattr(spool_module, "MAX_STREAM_BYTES", 1 << 18)
    spool = SpooledInput(endless, name="the pipe")
    with pytest.raises(InputTooLarge, match="the pipe holds more than 262144 bytes"):
        spool.seek(0, io.SEEK_END)


def test_an_image_reads_through_the_spool_with_seeks(make_image):
    buffer = io.BytesIO()
    Image.fromarray(make_image(20, 30)).save(buffer, format="PNG")
    spool = SpooledInput(io.BytesIO(buffer.getvalue()))
    with Image.open(spool) as image:
        assert np.array_equal(np.asarray(image), make_image(20, 30))
    assert spool.size == len(buffer.getvalue())


def test_seek_and_read_follow_a_file():
    spool = SpooledInput(io.BytesIO(b"abcdefgh"))
    assert spool.read(3) == b"abc" and spool.tell() == 3
    assert spool.seek(-2, io.SEEK_END) == 6 and spool.read() == b"gh"
    assert spool.seek(1) == 1 and spool.read(2) == b"bc"
    with pytest.raises(ValueError):
        spool.seek(-1)
