"""The decoder, torch-free: ``decompress`` (``api``), the decoder's model and the pixels it makes
(``model``), the checkerboard latent codec (``checkerboard``) and the exact integer path
(``exact``) that chooses every probability table, the same on every machine."""
