"""Fuzz inputs: hostile variants of valid ``.aec`` files.

A mutation works on the file taken apart (:class:`Layout`: header fields and sections), changes
one thing and then rebuilds it with every CRC recomputed, so the damage reaches the payload
decoders behind the checksums (the range decoder, the alpha PNG, the exact hyper path) instead of
stopping at a checksum. Some mutations leave a CRC or a length stale on purpose, and raw byte
mutations (truncations, bit flips, splices) come on top. Every choice is drawn from a
:class:`Chooser` -- ``random.Random``, an atheris data provider or hypothesis -- so one set of
operators serves the seeded million-input run, coverage-guided fuzzing and the tests.

>>> import random
>>> from aecodec.bitstream.container import Container, Header, ImageMode, SectionType, pack
>>> seed = pack(Container(Header(1, bytes(8), 50.0, 4, 3, ImageMode.RGB), {SectionType.LATENT: b"\\0" * 8}))
>>> data, operators = make_input([parse_layout(seed)], random.Random(7))
>>> isinstance(data, bytes) and len(operators) >= 1
True
"""

from __future__ import annotations

import copy
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from aecodec.bitstream import container
from aecodec.bitstream.container import CRC_STRUCT, HEADER_SIZE, HEADER_STRUCT, SECTION_STRUCT, SectionType
from aecodec.codec.decoder.checkerboard import LATENT_SECTIONS

T = TypeVar("T")
_FIELD_BITS = (None, 8, 8, 16, None, 16, 32, 32, 8, 8, 8)
"""Width of each header field in struct order; None for the byte strings (signature, weights hash)."""
_WIDTH, _HEIGHT, _MODEL, _HASH, _COUNT = 6, 7, 3, 4, 10
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Chooser(Protocol):
    """Where a mutation's choices come from; ``random.Random`` is one."""

    def randint(self, a: int, b: int) -> int: ...

    def random(self) -> float: ...

    def randbytes(self, n: int) -> bytes: ...


def pick(chooser: Chooser, items: Sequence[T]) -> T:
    """One of ``items``."""
    return items[chooser.randint(0, len(items) - 1)]


@dataclass
class Section:
    """A section as stored; ``length``/``crc`` None means the true value when built."""

    kind: int
    payload: bytes
    length: int | None = None
    crc: int | None = None


@dataclass
class Layout:
    """An ``.aec`` file taken apart: the 11 header fields in struct order and the sections."""

    fields: list
    sections: list[Section] = field(default_factory=list)
    header_crc: int | None = None
    count_fixed: bool = True

    def build(self) -> bytes:
        """The file's bytes; fields are cut to their width, absent CRCs and lengths recomputed."""
        values = [value if bits is None else value & ((1 << bits) - 1)
                  for value, bits in zip(self.fields, _FIELD_BITS, strict=True)]
        if self.count_fixed:
            values[_COUNT] = len(self.sections) & 0xFF
        head = HEADER_STRUCT.pack(*values)
        parts = [head, CRC_STRUCT.pack(zlib.crc32(head) if self.header_crc is None else self.header_crc)]
        for section in self.sections:
            length = len(section.payload) if section.length is None else section.length
            crc = zlib.crc32(section.payload) if section.crc is None else section.crc
            parts.append(SECTION_STRUCT.pack(section.kind & 0xFF, length & 0xFFFF_FFFF, crc & 0xFFFF_FFFF))
            parts.append(section.payload)
        return b"".join(parts)


def parse_layout(data: bytes) -> Layout:
    """Take a valid file apart (no checks beyond what the layout needs)."""
    fields = list(HEADER_STRUCT.unpack_from(data))
    offset, sections = HEADER_SIZE, []
    for _ in range(fields[_COUNT]):
        kind, length, _ = SECTION_STRUCT.unpack_from(data, offset)
        start = offset + SECTION_STRUCT.size
        sections.append(Section(kind, data[start : start + length]))
        offset = start + length
    return Layout(fields, sections)


def with_header_crc(data: bytes) -> bytes:
    """``data`` with its header CRC recomputed (sections kept as stored)."""
    head = data[: HEADER_STRUCT.size]
    return head + CRC_STRUCT.pack(zlib.crc32(head)) + data[HEADER_SIZE:]


def make_input(seeds: Sequence[Layout], chooser: Chooser, payloads_only: bool = False) -> tuple[bytes, list[str]]:
    """One mutated file from one of ``seeds`` and the names of the operators applied.

    ``payloads_only`` keeps the container valid (every CRC and length right) and changes what is
    inside it, for inputs meant to reach the decoders.
    """
    layout = copy.deepcopy(pick(chooser, seeds))
    operators = PAYLOAD_OPERATORS if payloads_only else LAYOUT_OPERATORS
    names = []
    if payloads_only or chooser.random() < 0.85:
        for _ in range(chooser.randint(1, 3)):
            operator = pick(chooser, operators)
            operator(layout, chooser, seeds)
            names.append(operator.__name__)
    data = layout.build()
    if not payloads_only and (not names or chooser.random() < 0.2):
        operator = pick(chooser, BYTE_OPERATORS)
        data = operator(data, chooser, seeds)
        names.append(operator.__name__)
    return data, names


def sweep(seeds: Sequence[bytes]) -> Iterator[tuple[bytes, str]]:
    """Systematic inputs: every truncation of every seed, and every single-bit flip of its header
    and section headers, with the header CRC left stale and recomputed."""
    for number, seed in enumerate(seeds):
        for length in range(len(seed)):
            yield seed[:length], f"seed {number} truncated to {length}"
        for offset in _structure_offsets(seed):
            for bit in range(8):
                flipped = bytearray(seed)
                flipped[offset] ^= 1 << bit
                yield bytes(flipped), f"seed {number} bit {bit} of byte {offset}"
                if offset < HEADER_STRUCT.size:
                    yield with_header_crc(bytes(flipped)), f"seed {number} bit {bit} of byte {offset}, CRC fixed"


def sweep_size(seeds: Sequence[bytes]) -> int:
    """How many inputs :func:`sweep` yields."""
    return sum(len(seed) + 8 * len(offsets) + 8 * sum(o < HEADER_STRUCT.size for o in offsets)
               for seed in seeds for offsets in [_structure_offsets(seed)])


def _structure_offsets(seed: bytes) -> list[int]:
    offsets = list(range(HEADER_SIZE))
    offset = HEADER_SIZE
    for section in parse_layout(seed).sections:
        offsets.extend(range(offset, offset + SECTION_STRUCT.size))
        offset += SECTION_STRUCT.size + len(section.payload)
    return offsets


def _interesting(chooser: Chooser, bits: int, current: int) -> int:
    top = (1 << bits) - 1
    value = pick(chooser, [0, 1, top, top - 1, 1 << (bits - 1), chooser.randint(0, top),
                           current + chooser.randint(-64, 64), current ^ (1 << chooser.randint(0, bits - 1))])
    return value & top


def set_field(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """Any numeric header field (version, flags, model, quality, size, mode, depth, count)."""
    index = pick(chooser, [i for i, bits in enumerate(_FIELD_BITS) if bits is not None])
    layout.fields[index] = _interesting(chooser, _FIELD_BITS[index], layout.fields[index])
    layout.count_fixed = index != _COUNT


def set_dimensions(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """Absurd or slightly wrong width and height, including just past the pixel limit."""
    width, height = layout.fields[_WIDTH], layout.fields[_HEIGHT]
    limit = container.MAX_PIXELS or 1 << 32
    layout.fields[_WIDTH], layout.fields[_HEIGHT] = pick(chooser, [
        (0, height), (width, 0), (0xFFFF_FFFF, 0xFFFF_FFFF), (0xFFFF_FFFF, 1), (1, 0xFFFF_FFFF),
        (limit, 1), (limit + 1, 1), (1 << 16, 1 << 16), (width + chooser.randint(-64, 64), height),
        (width, height + chooser.randint(-64, 64)), (height, width), (chooser.randint(1, 600), chooser.randint(1, 600)),
    ])


def set_small_dimensions(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """Width and height changed a little, so the streams code another number of symbols."""
    for index in (_WIDTH, _HEIGHT):
        if chooser.random() < 0.6:
            layout.fields[index] = max(1, layout.fields[index] + chooser.randint(-70, 70))


def set_model(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """Another model id or a different weights hash."""
    if chooser.random() < 0.5:
        layout.fields[_MODEL] = _interesting(chooser, 16, layout.fields[_MODEL])
    else:
        layout.fields[_HASH] = chooser.randbytes(8)


def drop_section(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    if layout.sections:
        del layout.sections[chooser.randint(0, len(layout.sections) - 1)]


def duplicate_section(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    if layout.sections:
        section = pick(chooser, layout.sections)
        layout.sections.insert(chooser.randint(0, len(layout.sections)), copy.copy(section))


def change_kind(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """A section relabelled as another known or unknown type."""
    if layout.sections:
        pick(chooser, layout.sections).kind = pick(chooser, [0, 6, 255, *map(int, SectionType)])


def reorder_sections(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    sections = layout.sections
    for index in range(len(sections) - 1, 0, -1):
        other = chooser.randint(0, index)
        sections[index], sections[other] = sections[other], sections[index]


def add_section(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """A new section of any type with random bytes."""
    kind = pick(chooser, [0, 6, 255, *map(int, SectionType)])
    layout.sections.append(Section(kind, chooser.randbytes(chooser.randint(0, 64))))


def splice_section(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """A section's payload replaced by one from another seed (another size, mode or stream)."""
    donor = pick(chooser, seeds)
    if layout.sections and donor.sections:
        pick(chooser, layout.sections).payload = pick(chooser, donor.sections).payload


def wrong_length(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """A section length that disagrees with its payload, up to 4 GiB."""
    if layout.sections:
        section = pick(chooser, layout.sections)
        size = len(section.payload)
        section.length = pick(chooser, [0, size - 1, size + 1, 0xFFFF_FFFF, 1 << 31, chooser.randint(0, 1 << 20)])


def stale_crc(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """A header or section CRC that does not match."""
    if layout.sections and chooser.random() < 0.7:
        pick(chooser, layout.sections).crc = chooser.randint(0, 0xFFFF_FFFF)
    else:
        layout.header_crc = chooser.randint(0, 0xFFFF_FFFF)


def mutate_payload(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """Bytes of one payload flipped, overwritten, cut or extended; its CRC recomputed."""
    if layout.sections:
        section = pick(chooser, layout.sections)
        section.payload = pick(chooser, BYTE_OPERATORS)(section.payload, chooser, seeds)


def mutate_stream(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """An entropy-coded stream with a wrong escape count, extreme escapes or damaged words."""
    streams = [section for section in layout.sections if section.kind in LATENT_SECTIONS]
    if not streams:
        return
    section = pick(chooser, streams)
    data = bytearray(section.payload.ljust(4, b"\0"))
    (count,) = struct.unpack_from("<I", data)
    choice = chooser.randint(0, 3)
    if choice == 0:
        struct.pack_into("<I", data, 0, _interesting(chooser, 32, count))
    elif choice == 1:
        extreme = pick(chooser, [-(1 << 31), (1 << 31) - 1, 1 << 20, -(1 << 21)])
        data[4:4] = struct.pack("<i", extreme)
        struct.pack_into("<I", data, 0, (count + 1) & 0xFFFF_FFFF)
    elif choice == 2:
        words = 4 + 4 * count
        del data[max(words, len(data) - 4 * chooser.randint(1, 8)) :]
    else:
        data += chooser.randbytes(4 * chooser.randint(1, 8))
    section.payload = bytes(data)


def mutate_alpha(layout: Layout, chooser: Chooser, seeds: Sequence[Layout]) -> None:
    """The alpha PNG with another size, depth or colour type, or damaged image data, its chunk
    CRCs recomputed so that the PNG decoder sees the damage."""
    alphas = [section for section in layout.sections if section.kind == SectionType.ALPHA]
    if not alphas or not alphas[0].payload.startswith(_PNG_SIGNATURE):
        return
    chunks = _png_chunks(alphas[0].payload)
    if not chunks or chunks[0][0] != b"IHDR":
        return
    index = chooser.randint(0, len(chunks) - 1)
    kind, body = chunks[index]
    if kind == b"IHDR" and len(body) == 13 and chooser.random() < 0.7:
        header = bytearray(body)
        offset = pick(chooser, [0, 4, 8, 9, 12])
        size = 4 if offset < 8 else 1
        current = int.from_bytes(header[offset : offset + size], "big")
        header[offset : offset + size] = _interesting(chooser, 8 * size, current).to_bytes(size, "big")
        body = bytes(header)
    else:
        body = pick(chooser, BYTE_OPERATORS)(body, chooser, seeds)
    chunks[index] = (kind, body)
    alphas[0].payload = _PNG_SIGNATURE + b"".join(_png_chunk(name, data) for name, data in chunks)


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], len(_PNG_SIGNATURE)
    while offset + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        chunks.append((data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return chunks


def _png_chunk(name: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + name + data + struct.pack(">I", zlib.crc32(name + data))


def truncate(data: bytes, chooser: Chooser, seeds: Sequence[Layout]) -> bytes:
    return data[: chooser.randint(0, len(data))]


def flip_bits(data: bytes, chooser: Chooser, seeds: Sequence[Layout]) -> bytes:
    if not data:
        return data
    flipped = bytearray(data)
    for _ in range(chooser.randint(1, 8)):
        flipped[chooser.randint(0, len(data) - 1)] ^= 1 << chooser.randint(0, 7)
    return bytes(flipped)


def overwrite(data: bytes, chooser: Chooser, seeds: Sequence[Layout]) -> bytes:
    if not data:
        return data
    changed = bytearray(data)
    for _ in range(chooser.randint(1, 4)):
        changed[chooser.randint(0, len(data) - 1)] = pick(chooser, [0, 0xFF, 0x7F, 0x80, chooser.randint(0, 255)])
    return bytes(changed)


def insert_bytes(data: bytes, chooser: Chooser, seeds: Sequence[Layout]) -> bytes:
    at = chooser.randint(0, len(data))
    return data[:at] + chooser.randbytes(chooser.randint(1, 16)) + data[at:]


def delete_bytes(data: bytes, chooser: Chooser, seeds: Sequence[Layout]) -> bytes:
    at = chooser.randint(0, len(data))
    return data[:at] + data[at + chooser.randint(1, 16) :]


def splice_bytes(data: bytes, chooser: Chooser, seeds: Sequence[Layout]) -> bytes:
    """A run of bytes from another seed pasted over or into this one."""
    donor = pick(chooser, seeds).build()
    start = chooser.randint(0, len(donor))
    piece = donor[start : start + chooser.randint(1, 64)]
    at = chooser.randint(0, len(data))
    cut = at + (len(piece) if chooser.random() < 0.5 else 0)
    return data[:at] + piece + data[cut:]


def duplicate_bytes(data: bytes, chooser: Chooser, seeds: Sequence[Layout]) -> bytes:
    start = chooser.randint(0, len(data))
    piece = data[start : start + chooser.randint(1, 64)]
    return data[:start] + piece + data[start:]


Operator = Callable[[Layout, Chooser, Sequence[Layout]], None]
LAYOUT_OPERATORS: tuple[Operator, ...] = (
    set_field, set_dimensions, set_model, drop_section, duplicate_section, change_kind, reorder_sections,
    add_section, splice_section, wrong_length, stale_crc, mutate_payload, mutate_payload, mutate_stream,
    mutate_stream, mutate_stream, mutate_alpha, mutate_alpha,
)
"""Mutations of a taken-apart file; payload mutations are listed more than once to weigh them up."""
PAYLOAD_OPERATORS: tuple[Operator, ...] = (
    mutate_payload, mutate_stream, mutate_stream, mutate_alpha, splice_section, set_small_dimensions,
    set_dimensions,
)
"""Mutations that keep the container valid: what reaches the range decoder, PNG and hyper path."""
BYTE_OPERATORS = (truncate, flip_bits, overwrite, insert_bytes, delete_bytes, splice_bytes, duplicate_bytes)
