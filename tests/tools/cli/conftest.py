"""Fixtures of the command-line tests: a small photo on disk and an endless input stream."""

import io

import pytest
from PIL import Image


class Endless(io.RawIOBase):
    """Zeros forever, counting what was served."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = bytes(len(buffer))
        self.served += len(buffer)
        return len(buffer)


@pytest.fixture
def endless():
    """A fresh :class:`Endless` stream."""
    return Endless()


@pytest.fixture
def png(tmp_path, make_image):
    """A 40 × 56 RGB photo saved as PNG."""
    path = tmp_path / "photo.png"
    Image.fromarray(make_image(40, 56)).save(path)
    return path
