"""aecodec: a learned image codec. ``compress(image) -> bytes`` and ``decompress(data) -> Image``.

Importing the package registers the ``.aec`` format with Pillow (``Image.open("x.aec")``,
``image.save("x.aec", quality=60)``). The API is imported lazily so that ``import aecodec`` is
quick, and nothing here imports torch: compressing at effort 0, decoding and the Pillow plugin run
without it (``pip install 'aecodec[torch]'`` adds encoder effort 1–4, GPUs, training and export).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aecodec")
except PackageNotFoundError:
    __version__ = "0.0.0"

from aecodec.codec.images import pillow_plugin as _pillow_plugin  # noqa: F401  (registration is the import)

__all__ = ["compress", "compress_batch", "compress_to_target", "decompress", "decompress_batch", "__version__"]

_LAZY = {"compress": "encoder.api", "compress_batch": "encoder.api", "decompress": "decoder.api",
         "decompress_batch": "decoder.api", "compress_to_target": "encoder.targets"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"aecodec.codec.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'aecodec' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
