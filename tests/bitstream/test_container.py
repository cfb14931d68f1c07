import struct
import zlib

import pytest

from aecodec.bitstream.container import (
    CRC_STRUCT,
    HEADER_STRUCT,
    MAX_PIXELS,
    SIGNATURE,
    Container,
    ContainerError,
    Header,
    ImageMode,
    SectionType,
    pack,
    read_header,
    unpack,
)

HEADER = Header(model_id=1, weights_hash=b"\x01" * 8, quality=62.5, width=31, height=17, mode=ImageMode.RGBA)
SECTIONS = {SectionType.HYPER_LATENT: b"zz", SectionType.LATENT: b"latent-bytes", SectionType.ALPHA: b"a" * 40}


@pytest.fixture
def packed() -> bytes:
    return pack(Container(HEADER, SECTIONS))


def _refresh_header_crc(data: bytearray) -> bytearray:
    struct.pack_into("<I", data, 33, zlib.crc32(bytes(data[:33])))
    return data


def test_round_trip(packed):
    assert unpack(packed) == Container(HEADER, SECTIONS)
    header, count = read_header(packed)
    assert header == HEADER and count == 3


@pytest.mark.parametrize("length", range(0, 37 + 9 * 3 + 54, 3))
def test_every_truncation_is_rejected(packed, length):
    with pytest.raises(ContainerError):
        unpack(packed[:length])


def test_bad_signature(packed):
    with pytest.raises(ContainerError, match="signature"):
        unpack(b"\x89PNG" + packed[4:])


def test_unknown_version(packed):
    data = _refresh_header_crc(bytearray(packed))
    data[8] = 9
    with pytest.raises(ContainerError, match="version 9"):
        unpack(bytes(_refresh_header_crc(data)))


def test_unknown_flags(packed):
    data = bytearray(packed)
    data[9] = 4
    with pytest.raises(ContainerError, match="flags"):
        unpack(bytes(_refresh_header_crc(data)))


def test_header_crc_mismatch(packed):
    data = bytearray(packed)
    data[20] ^= 0xFF
    with pytest.raises(ContainerError, match="header checksum"):
        unpack(bytes(data))


def test_section_crc_mismatch(packed):
    data = bytearray(packed)
    data[-1] ^= 0x01
    with pytest.raises(ContainerError, match="section checksum"):
        unpack(bytes(data))


def test_section_length_past_end(packed):
    data = bytearray(packed)
    struct.pack_into("<I", data, 37 + 1, 10**6)
    with pytest.raises(ContainerError, match="past the end"):
        unpack(bytes(data))


def test_trailing_bytes(packed):
    with pytest.raises(ContainerError, match="after the last section"):
        unpack(packed + b"x")


def test_pixel_limit_on_read(packed):
    data = bytearray(packed)
    struct.pack_into("<II", data, 22, 100_000, 100_000)
    with pytest.raises(ContainerError, match="pixel limit"):
        unpack(bytes(_refresh_header_crc(data)))


def test_pixel_limit_on_write():
    header = Header(1, b"\x00" * 8, 50, MAX_PIXELS, 2, ImageMode.RGB)
    with pytest.raises(ContainerError, match="pixel limit"):
        pack(Container(header, {}))


@pytest.mark.parametrize("offset, value, message", [(22, 0, "dimensions"), (30, 9, "mode"), (31, 16, "bit depth"), (20, 20000, "quality")])
def test_field_ranges(packed, offset, value, message):
    data = bytearray(packed)
    fmt = "<H" if offset == 20 else "<I" if offset == 22 else "<B"
    struct.pack_into(fmt, data, offset, value)
    with pytest.raises(ContainerError, match=message):
        unpack(bytes(_refresh_header_crc(data)))


def test_unknown_section_type(packed):
    data = bytearray(packed)
    data[37] = 77
    with pytest.raises(ContainerError, match="section type"):
        unpack(bytes(data))


def test_every_error_is_an_aec_error_and_a_value_error():
    from aecodec.bitstream.entropy_coder import StreamError
    from aecodec.bitstream.errors import AecError

    assert issubclass(ContainerError, AecError) and issubclass(StreamError, AecError)
    assert issubclass(AecError, ValueError)


def test_pixel_limit_is_settable(packed, monkeypatch):
    import aecodec.bitstream.container as container

    monkeypatch.setattr(container, "MAX_PIXELS", 31 * 17 - 1)
    with pytest.raises(ContainerError, match=r"exceeds the 526-pixel limit \(raise .*MAX_PIXELS"):
        unpack(packed)
    monkeypatch.setattr(container, "MAX_PIXELS", 31 * 17)
    assert unpack(packed).header.width == 31


def test_no_pixel_limit(monkeypatch):
    import aecodec.bitstream.container as container

    monkeypatch.setattr(container, "MAX_PIXELS", None)
    big = Header(1, b"\x00" * 8, 50, 0xFFFF_FFFF, 0xFFFF_FFFF, ImageMode.RGB)
    assert read_header(pack(Container(big, {})))[0] == big
    with pytest.raises(ContainerError, match="dimensions"):
        pack(Container(Header(1, b"\x00" * 8, 50, 1 << 32, 1, ImageMode.RGB), {}))


def test_a_format_1_file_is_refused_naming_its_version():
    data = bytearray(pack(Container(HEADER, SECTIONS)))
    data[len(SIGNATURE)] = 1
    fixed = HEADER_STRUCT.size
    data[fixed : fixed + 4] = CRC_STRUCT.pack(zlib.crc32(bytes(data[:fixed])))
    with pytest.raises(ContainerError, match="format version 1 was written by aecodec before the checkerboard"):
        unpack(bytes(data))
