"""Overlapping tiles for the float transforms, so that memory stays bounded on large images.

``g_a`` and ``g_s`` run on tiles of the latent grid (``TILE`` latents, 16 pixels each, square),
each widened by ``HALO`` latents of real context on every side and cropped back before the tiles
are stitched. Either transform reaches about ±2 latents (``g_a``'s receptive field is 61 pixels),
so with a halo of 4 every kept value sees exactly the inputs it sees untiled, and the zero padding
at a tile's cut edges never reaches it: the stitched result equals the untiled transform up to
float rounding (convolution algorithms may sum in another order for another tile size). An image
of at most one tile is computed in one call, exactly as untiled. The bitstream does not change:
tiling is how the transforms are computed, not how the image is coded.
"""

from __future__ import annotations

import numpy as np
import torch

from aecodec.codec.tile_grid import STRIDE, TILE, Span, grid

def analyse_tiles(g_a: torch.nn.Module, color: np.ndarray, gain: torch.Tensor, device: torch.device | str,
                  tile: int = TILE) -> torch.Tensor:
    """``g_a(x) * gain`` for uint8 ``color`` ``[H, W, 3]``, edge-padded to a multiple of 64 pixels.

    ``gain`` is ``[1, M, 1, 1]`` on ``device``. Returns float32 ``[1, M, H'/16, W'/16]`` on ``device``.
    """
    height, width = -(-color.shape[0] // 64) * 4, -(-color.shape[1] // 64) * 4
    latent = torch.empty(1, gain.shape[1], height, width, device=device)
    g_a.to(device)
    with torch.inference_mode():
        for row, col in grid(height, width, tile):
            pixels = _pixel_tile(color, row, col).to(device).contiguous(memory_format=torch.channels_last)
            part = g_a(pixels) * gain
            latent[:, :, row.start : row.stop, col.start : col.stop] = part[:, :, row.keep, col.keep]
    return latent


def _pixel_tile(color: np.ndarray, row: Span, col: Span) -> torch.Tensor:
    """Float ``[1, 3, h, w]`` in [0, 1]: pixels of the computed part, edge-padded past the image."""
    rows = np.minimum(np.arange(row.low * STRIDE, row.high * STRIDE), color.shape[0] - 1)
    cols = np.minimum(np.arange(col.low * STRIDE, col.high * STRIDE), color.shape[1] - 1)
    block = color[rows[:, None], cols[None, :]]
    return torch.from_numpy(block.transpose(2, 0, 1).copy()).float().div_(255.0)[None]


def synthesise_tiles(g_s: torch.nn.Module, y_hat: np.ndarray, gain: torch.Tensor, height: int, width: int,
                     device: torch.device | str, tile: int = TILE) -> np.ndarray:
    """``g_s(ŷ * gain)`` for ``y_hat`` float32 ``[M, h, w]`` (NumPy), as uint8 ``[height, width, 3]``.

    The output is cropped to ``height`` × ``width`` pixels; ``gain`` is ``[1, M, 1, 1]`` on ``device``.
    Values overflowing to NaN (only from absurd latents in a corrupted file) become black.
    """
    image = np.empty((height, width, 3), dtype=np.uint8)
    g_s.to(device)
    with torch.inference_mode():
        for row, col in grid(y_hat.shape[1], y_hat.shape[2], tile):
            part = torch.from_numpy(y_hat[None, :, row.low : row.high, col.low : col.high]).to(device) * gain
            pixels = g_s(part.contiguous(memory_format=torch.channels_last)).nan_to_num_(0.0).clamp_(0.0, 1.0)
            kept = pixels[0, :, _pixels(row.keep), _pixels(col.keep)]
            top, left = row.start * STRIDE, col.start * STRIDE
            block = image[top : top + kept.shape[1], left : left + kept.shape[2]]
            block[...] = _to_uint8(kept[:, : block.shape[0], : block.shape[1]])
    return image


def _pixels(latents: slice) -> slice:
    return slice(latents.start * STRIDE, latents.stop * STRIDE)


def _to_uint8(x: torch.Tensor) -> np.ndarray:
    """Float ``[3, h, w]`` in [0, 1] to uint8 ``[h, w, 3]``."""
    return x.mul(255.0).round_().clamp_(0, 255).to("cpu", torch.uint8).permute(1, 2, 0).numpy()
