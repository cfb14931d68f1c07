"""Images as the API takes and gives them besides PIL: float arrays in [0, 1] and torch tensors
(``[C, H, W]`` or ``[1, C, H, W]``), converted to and from the uint8 ``[H, W, C]`` arrays that
:mod:`aecodec.codec.images.planes` reads. Torch is never imported here: a tensor is recognised by its
type's module, so a torch-free installation pays nothing.

>>> import numpy as np
>>> to_uint8_array(np.full((2, 3, 3), 0.5, dtype=np.float32))[0, 0]
array([128, 128, 128], dtype=uint8)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

OUTPUTS = ("pil", "uint8", "float", "torch")
"""What :func:`from_pil` hands back: a PIL image, uint8 ``[H, W, C]``, float32 ``[H, W, C]`` in
[0, 1], or a float32 torch tensor ``[C, H, W]`` in [0, 1]."""


def is_tensor(value: object) -> bool:
    """Whether ``value`` is a torch tensor (without importing torch)."""
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def to_uint8_array(image: Any) -> Any:
    """A PIL image or uint8/uint16 array as it is; a float array (values in [0, 1]) as uint8; a
    tensor ``[C, H, W]`` or ``[1, C, H, W]`` (float in [0, 1] or uint8) as uint8 ``[H, W, C]``."""
    if isinstance(image, Image.Image):
        return image
    if is_tensor(image):
        image = _tensor_to_array(image)
    if isinstance(image, np.ndarray) and np.issubdtype(image.dtype, np.floating):
        if image.size and not (np.all(np.isfinite(image)) and image.min() >= 0.0 and image.max() <= 1.0):
            raise ValueError("float images must hold values in [0, 1] (uint8 arrays hold 0-255)")
        return np.round(image.astype(np.float64) * 255.0).astype(np.uint8)
    return image


def _tensor_to_array(tensor: Any) -> np.ndarray:
    """``[C, H, W]`` or ``[1, C, H, W]`` (any device) as NumPy ``[H, W, C]``."""
    array = tensor.detach().cpu().numpy()
    if array.ndim == 4:
        if array.shape[0] != 1:
            raise ValueError(f"a tensor [N, C, H, W] holds {array.shape[0]} images; use compress_batch")
        array = array[0]
    if array.ndim != 3 or array.shape[0] not in (1, 2, 3, 4):
        raise ValueError(f"expected a tensor [C, H, W] or [1, C, H, W] with 1-4 channels, got {tuple(tensor.shape)}")
    return np.ascontiguousarray(array.transpose(1, 2, 0))


def batch_items(images: Any) -> list[Any]:
    """The images of a batch: a sequence as it is, an array or tensor ``[N, ...]`` split on its
    first axis (a tensor ``[N, C, H, W]``, an array ``[N, H, W(, C)]``)."""
    if is_tensor(images) and images.ndim == 4:
        return [images[index] for index in range(images.shape[0])]
    if isinstance(images, np.ndarray):
        if images.ndim not in (3, 4):
            raise ValueError(f"a batch array is [N, H, W] or [N, H, W, C], got {images.shape}")
        return list(images)
    return list(images)


def from_pil(image: Image.Image, output: str) -> Any:
    """``image`` as ``output`` (one of :data:`OUTPUTS`)."""
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r} (one of {', '.join(OUTPUTS)})")
    if output == "pil":
        return image
    array = np.asarray(image)
    if output == "uint8":
        return array
    scaled = array.astype(np.float32) / np.float32(255.0)
    if output == "float":
        return scaled
    from aecodec.codec.torch_support import require_torch

    require_torch("output='torch'")
    import torch

    return torch.from_numpy(np.ascontiguousarray(np.atleast_3d(scaled).transpose(2, 0, 1)))
