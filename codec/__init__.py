"""The neural codec: transforms, entropy models, the exact hyper path and the public API."""
