"""The trainable network (torch): layers, transforms, entropy models, the checkerboard context,
gains, the fixed-point twins of the exact layers and their conversion, export of a release's
weights, the torch model for GPUs and encoder effort, and the torch engine of the transforms.

Only ``config`` is torch-free (the command line reads it for its defaults)."""
