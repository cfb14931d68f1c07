"""Reading an .aec file from a stream: the header first, then only what its sections declare."""

import io

import pytest

from aecodec.bitstream import aec_reader
from aecodec.bitstream.aec_reader import read_aec, size_limit
from aecodec.bitstream.container import (
    HEADER_SIZE,
    SECTION_STRUCT,
    Container,
    ContainerError,
    Header,
    ImageMode,
    SectionType,
    pack,
)


class Endless(io.RawIOBase):
    """An endless stream of one byte value that counts what it served."""

    def __init__(self, prefix: bytes = b"", fill: int = 0) -> None:
        self.prefix, self.fill, self.served = prefix, fill, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = len(buffer)
        start = min(self.served, len(self.prefix))
        head = self.prefix[start : start + size]
        buffer[: len(head)] = head
        buffer[len(head) : size] = bytes([self.fill]) * (size - len(head))
        self.served += size
        return size


def _file(width=40, height=30, sections=None):
    sections = {SectionType.LATENT: b"latent", SectionType.HYPER_LATENT: b"hyper"} if sections is None else sections
    return pack(Container(Header(1, bytes(8), 50.0, width, height, ImageMode.RGB), sections))


def test_a_whole_file_is_read_exactly():
    data = _file()
    assert read_aec(io.BytesIO(data)) == data


def test_an_endless_zero_stream_is_refused_after_its_first_bytes():
    stream = Endless()
    with pytest.raises(ContainerError, match="bad signature"):
        read_aec(stream)
    assert stream.served <= HEADER_SIZE


def test_endless_bytes_after_a_valid_file_are_refused_after_one_byte():
    data = _file()
    stream = Endless(prefix=data, fill=7)
    with pytest.raises(ContainerError, match="unexpected bytes after the last section"):
        read_aec(stream)
    assert stream.served == len(data) + 1


def test_a_section_declaring_more_than_the_image_can_hold_is_refused_before_its_payload():
    layout = bytearray(_file(sections={SectionType.LATENT: b"x"}))
    claimed = 0xFFFF_FFF0
    SECTION_STRUCT.pack_into(layout, HEADER_SIZE, int(SectionType.LATENT), claimed, 0)
    stream = Endless(prefix=bytes(layout[: HEADER_SIZE + SECTION_STRUCT.size]))
    with pytest.raises(ContainerError, match="more than a 40x30 file may hold"):
        read_aec(stream)
    assert stream.served <= HEADER_SIZE + SECTION_STRUCT.size


def test_the_limit_follows_the_header_and_the_module_constants(monkeypatch):
    header = Header(1, bytes(8), 50.0, 65, 1, ImageMode.RGB)
    assert size_limit(header) == HEADER_SIZE + aec_reader.CODED_BYTES_PER_PIXEL * 128 * 64 + aec_reader.MAX_METADATA_BYTES
    monkeypatch.setattr(aec_reader, "MAX_METADATA_BYTES", 0)
    payload = b"\0" * (aec_reader.CODED_BYTES_PER_PIXEL * 64 * 64)
    with pytest.raises(ContainerError, match="may hold"):
        read_aec(io.BytesIO(_file(1, 1, {SectionType.LATENT: payload})))


@pytest.mark.parametrize("cut", [0, 5, HEADER_SIZE, HEADER_SIZE + 3, -2])
def test_a_short_stream_returns_what_it_held(cut):
    data = _file()
    if cut == 0:
        with pytest.raises(ContainerError, match="input is empty"):
            read_aec(io.BytesIO(b""))
        return
    try:
        assert read_aec(io.BytesIO(data[:cut])) == data[:cut]
    except ContainerError as error:
        assert "\n" not in str(error)
