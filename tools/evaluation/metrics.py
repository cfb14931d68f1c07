"""Distortion and rate measures: RGB PSNR, MS-SSIM and bits per pixel.

Images are uint8 arrays ``[H, W, 3]``; the original comes first.
"""

from __future__ import annotations

import math

import numpy as np

from aecodec.codec.images.distortion import psnr_db

PSNR_CAP_DB = 100.0
MS_SSIM_MIN_SIDE = 161


def bits_per_pixel(file_bytes: int, width: int, height: int) -> float:
    """``8 × file_bytes / (width × height)``: the whole file, header included."""
    return 8.0 * file_bytes / (width * height)


def psnr(original: np.ndarray, decoded: np.ndarray) -> float:
    """:func:`~aecodec.codec.images.distortion.psnr_db` capped at 100 dB, so identical images give a number."""
    return min(psnr_db(original, decoded), PSNR_CAP_DB)


def ms_ssim(original: np.ndarray, decoded: np.ndarray) -> float | None:
    """MS-SSIM (pytorch-msssim, 5 scales, 11-pixel Gaussian window, data range 255, float32).

    ``None`` for images whose shorter side is under 161 pixels, too small for five scales, and
    where torch is not installed (pytorch-msssim comes with the ``torch`` extra).
    """
    from aecodec.codec.torch_support import torch_available

    if min(original.shape[:2]) < MS_SSIM_MIN_SIDE or not torch_available():
        return None
    import torch
    from pytorch_msssim import ms_ssim as reference_ms_ssim

    def tensor(pixels: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.array(pixels, dtype=np.float32)).permute(2, 0, 1)[None]

    with torch.no_grad():
        return float(reference_ms_ssim(tensor(original), tensor(decoded), data_range=255.0))


def ms_ssim_db(value: float) -> float:
    """MS-SSIM on a decibel scale, ``−10 log10(1 − value)``, as plots of learned codecs show it."""
    return -10.0 * math.log10(max(1.0 - value, 1e-10))
