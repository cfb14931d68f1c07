"""aecodec version numbers as the ``.aec`` format stores them: three small integers.

A file whose model release is newer than version 0.1.0 names, in its ``REQUIRES`` section, the
first aecodec version that reads it (see :mod:`aecodec.codec.weights.registry`), so an older reader can
say which version to install instead of only "unknown model".
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import NamedTuple


class Version(NamedTuple):
    """``major.minor.patch``; tuples compare in version order."""

    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @classmethod
    def parse(cls, text: str) -> Version:
        """``"0.2.0"`` (anything after a third number, such as ``.dev1``, is ignored); ``ValueError`` otherwise."""
        parts = text.split(".")
        try:
            return cls(*(int(part) for part in parts[:3]))
        except (TypeError, ValueError):
            raise ValueError(f"not a version number: {text!r}") from None

    def to_bytes(self) -> bytes:
        """Three unsigned bytes; ``ValueError`` for a part over 255."""
        if not all(0 <= part <= 255 for part in self):
            raise ValueError(f"version {self} does not fit the format's three bytes")
        return bytes(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> Version:
        """The version :meth:`to_bytes` wrote; ``ValueError`` unless ``data`` is three bytes."""
        if len(data) != 3:
            raise ValueError(f"a version takes 3 bytes, not {len(data)}")
        return cls(*data)


def installed_version() -> Version:
    """The installed aecodec's version (0.0.0 when run from a tree that is not installed)."""
    try:
        return Version.parse(version("aecodec"))
    except PackageNotFoundError:
        return Version(0, 0, 0)
