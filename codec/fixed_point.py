"""Fixed-point conventions of the hyper-synthesis, shared by training and exact inference.

Every ``h_s`` activation is an integer count of ``2**-ACTIVATION_BITS``; every weight an integer
count of ``2**-shift`` with one power-of-two ``shift`` per output channel; biases live at the
accumulator's scale. Training uses these same roundings (straight-through), so the exact integer
path at inference computes what the network was trained to compute.

The module does not import torch (its functions take tensors and use their methods), so the
torch-free decoder can read the constants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

ACTIVATION_BITS = 6
OUTPUT_BITS = 6
WEIGHT_BITS = 12
ACTIVATION_LIMIT = 256
MAX_WEIGHT_SHIFT = 24


def round_half_up(x: torch.Tensor) -> torch.Tensor:
    """``floor(x + 0.5)``: the rounding the integer path does with an arithmetic shift."""
    return (x + 0.5).floor()


def round_ste(x: torch.Tensor) -> torch.Tensor:
    """Round half up in the forward pass, identity gradient in the backward pass."""
    return x + (round_half_up(x) - x).detach()


def weight_shifts(weight: torch.Tensor, out_dim: int) -> torch.Tensor:
    """Per-output-channel power-of-two exponents so each channel fits ``WEIGHT_BITS`` signed bits.

    ``weight`` is a conv weight (``out_dim=0``) or a transposed-conv weight (``out_dim=1``).
    Returns an integer-valued float tensor of shape ``[out_channels]``.
    """
    dims = [d for d in range(weight.dim()) if d != out_dim]
    peak = weight.detach().abs().amax(dim=dims).clamp_min(2.0 ** -MAX_WEIGHT_SHIFT)
    limit = 2 ** (WEIGHT_BITS - 1) - 1
    return (limit / peak).log2().floor().clamp(0, MAX_WEIGHT_SHIFT)


def quantize_to_shift(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Round ``x`` to a multiple of ``2**-shift`` (straight-through); ``shift`` broadcasts."""
    scale = shift.exp2()
    return round_ste(x * scale) / scale


def quantize_activation(x: torch.Tensor, bits: int) -> torch.Tensor:
    """Round an activation to a multiple of ``2**-bits`` (straight-through)."""
    return round_ste(x * 2.0 ** bits) / 2.0 ** bits


def clamp_relu(x: torch.Tensor) -> torch.Tensor:
    """ReLU capped at ``ACTIVATION_LIMIT``, which bounds every integer sum of the exact path."""
    return x.clamp(0.0, float(ACTIVATION_LIMIT))
