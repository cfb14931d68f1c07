"""aecodec: a learned image codec. ``compress(image) -> bytes`` and ``decompress(data) -> Image``.

The API is imported lazily so that ``aecodec.bitstream`` can be used without loading torch.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aecodec")
except PackageNotFoundError:
    __version__ = "0.0.0"

__all__ = ["compress", "decompress", "__version__"]


def __getattr__(name: str):
    if name in ("compress", "decompress"):
        from aecodec.codec import api

        return getattr(api, name)
    raise AttributeError(f"module 'aecodec' has no attribute {name!r}")
