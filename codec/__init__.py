"""The neural codec, by role. Every folder but ``model/`` is torch-free (a test imports each of
their modules where ``import torch`` fails):

- ``encoder/``: the public ``compress`` API and the effort-0 encoder (pixels to streams), rate-aware
  rounding, effort levels, targets;
- ``decoder/``: the public ``decompress`` API, the decoder's model, the checkerboard latent codec
  and the exact integer path that chooses every probability table;
- ``engines/``: the float transforms ``g_a``, ``h_a``, ``g_s`` on onnxruntime or NumPy, in tiles,
  and their ONNX export;
- ``images/``: image I/O (inputs, colour and alpha planes, metadata, the Pillow plugin, PSNR);
- ``weights/``: the model releases (registry and shipped weights) and the weights file's layout;
- ``model/`` (torch): the trainable network, its fixed-point twins of the exact layers, export,
  the torch engine and the encoder's effort refinement.

Beside them, what every part shares: the latent grid (``geometry``), quality values
(``quality``), the Gaussian tables (``gaussian``), devices and the torch check.
"""
