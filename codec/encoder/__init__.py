"""The encoder, torch-free: ``compress`` (``api``), pixels to streams at effort 0 (``analysis``),
rate-aware rounding, effort levels, and compression to a target size, rate or PSNR. Effort 1–4
refine the latents with the torch model (:mod:`aecodec.codec.model.refinement`)."""
