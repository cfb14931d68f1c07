"""Where bfloat16 pays: the training step and the encoder's effort search run under bfloat16
autocast only on devices that compute it natively."""

from __future__ import annotations

import torch


def native_bfloat16(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 convolutions in hardware: a GPU that supports it, or a
    CPU for which oneDNN reports bfloat16 support. Elsewhere bfloat16 is emulated; a training step
    then took ten times as long as in float32 (measured on an AVX2-only CPU)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
