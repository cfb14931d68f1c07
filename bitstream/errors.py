"""The one error type every ``.aec`` failure shares, so a caller can catch them all at once.

>>> from aecodec.bitstream.container import unpack
>>> from aecodec.bitstream.errors import AecError
>>> try:
...     unpack(b"not an aec file")
... except AecError as error:
...     print(type(error).__name__, "-", error)
ContainerError - not an .aec file (bad signature)
"""

from __future__ import annotations


class AecError(ValueError):
    """Base of :class:`~aecodec.bitstream.container.ContainerError`,
    :class:`~aecodec.bitstream.entropy_coder.StreamError` and the codec's model errors.

    A subclass of :class:`ValueError` so code written against the older classes keeps working.
    Messages are one line.
    """
