"""Pillow plugin for ``.aec`` files, registered by ``import aecodec``.

Opening parses only the header, with :mod:`aecodec.bitstream.container` (no torch): ``size``,
``mode`` and ``aec_header`` (the :class:`~aecodec.bitstream.container.Header` record) are known at
once, and the pixels are decoded by ``load()``, which also adds the ICC profile, EXIF and XMP to
``info``. ``verify()`` checks every checksum without the model. Saving takes ``quality`` (0-100,
default 75) or one of ``target_bpp``, ``target_size`` (bytes) and ``target_psnr`` (dB), plus
``effort`` (0-4, see :mod:`aecodec.codec.model.refinement`), ``model`` (a release id, see ``aecodec models``;
the newest by default) and ``icc_profile`` and ``exif`` to override the image's own.

>>> import io
>>> import aecodec
>>> from PIL import Image
>>> buffer = io.BytesIO()
>>> Image.new("RGB", (40, 30), (200, 30, 90)).save(buffer, format="AEC", quality=50)
>>> image = Image.open(buffer)
>>> image.format, image.size, image.mode, image.aec_header.quality
('AEC', (40, 30), 'RGB', 50.0)
>>> image.load() is not None
True
"""

from __future__ import annotations

import io
import warnings
from typing import IO

from PIL import Image, ImageFile

from aecodec.bitstream import container

FORMAT = "AEC"
EXTENSION = ".aec"
MIME_TYPE = "image/x-aec"
_PENDING = "aec"
_METADATA = ("icc_profile", "exif", "xmp")


def _accept(prefix: bytes) -> bool:
    return prefix.startswith(container.SIGNATURE)


class AecImageFile(ImageFile.ImageFile):
    """An ``.aec`` file opened through Pillow; decoding waits for ``load()``."""

    format = FORMAT
    format_description = "aecodec learned image"

    def _open(self) -> None:
        try:
            header, _ = container.read_header(self._stream().read(container.HEADER_SIZE))
        except container.ContainerError as error:
            raise SyntaxError(str(error)) from None
        self.aec_header = header
        self._size = (header.width, header.height)
        self._mode = header.mode.name
        self.tile = [ImageFile._Tile(_PENDING, (0, 0, *self.size), 0, None)]

    def load(self):
        if self.tile and self.tile[0].codec_name == _PENDING:
            self._decode_pixels()
        return super().load()

    def verify(self) -> None:
        try:
            container.unpack(self._read_file())
        except container.ContainerError as error:
            raise SyntaxError(f"broken .aec file: {error}") from None
        super().verify()

    def _decode_pixels(self) -> None:
        """Decode the whole file and hand Pillow the pixels as one raw tile."""
        decoded = _decode(self._read_file())
        self.info.update({key: decoded.info[key] for key in _METADATA if key in decoded.info})
        if self._exclusive_fp:
            self._stream().close()
        self.fp = io.BytesIO(decoded.tobytes())
        self.tile = [ImageFile._Tile("raw", (0, 0, *self.size), 0, self.mode)]

    def _read_file(self) -> bytes:
        stream = self._stream()
        stream.seek(0)
        return stream.read()

    def _stream(self) -> IO[bytes]:
        if self.fp is None:
            raise ValueError("the image file is closed (verify() closes it; open the file again)")
        return self.fp


def _decode(data: bytes) -> Image.Image:
    from aecodec.codec.decoder.api import decompress

    try:
        return decompress(data)
    except ValueError as error:
        raise OSError(f"cannot decode .aec file: {error}") from None


def _save(image: Image.Image, fp: IO[bytes], filename: str | bytes) -> None:
    fp.write(_encode(_with_metadata(image, image.encoderinfo), image.encoderinfo))


def _encode(image: Image.Image, options: dict) -> bytes:
    from aecodec.codec.encoder.api import compress
    from aecodec.codec.encoder.effort import DEFAULT_EFFORT
    from aecodec.codec.encoder.targets import Target, encode_for_target
    from aecodec.codec.quality import DEFAULT_QUALITY

    target = Target.from_options(options.get("target_bpp"), options.get("target_size"), options.get("target_psnr"))
    effort = options.get("effort", DEFAULT_EFFORT)
    model = options.get("model")
    if target is None:
        return compress(image, quality=options.get("quality", DEFAULT_QUALITY), effort=effort, model=model)
    if "quality" in options:
        raise ValueError("quality and a target are mutually exclusive")
    result = encode_for_target(image, target, effort=effort, model=model)
    if not result.met:
        warnings.warn(result.shortfall(), stacklevel=4)
    return result.data


def _with_metadata(image: Image.Image, options: dict) -> Image.Image:
    """``image`` with the ``icc_profile`` and ``exif`` save options in its ``info``."""
    overrides = {key: _as_bytes(options[key]) for key in _METADATA if options.get(key)}
    if not overrides:
        return image
    copy = image.copy()
    copy.info.update(overrides)
    return copy


def _as_bytes(value: bytes | Image.Exif) -> bytes:
    return value.tobytes() if isinstance(value, Image.Exif) else bytes(value)


Image.register_open(FORMAT, AecImageFile, _accept)
Image.register_save(FORMAT, _save)
Image.register_extension(FORMAT, EXTENSION)
Image.register_mime(FORMAT, MIME_TYPE)
