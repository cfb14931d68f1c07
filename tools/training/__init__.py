"""Training (torch): the driver (``train``), its settings (``config``, torch-free for the command
line), one optimisation step, training crops, torchrun launch, time budgets and warm starts from
exported weights. Training and export import neither constriction nor onnxruntime, so they run on
a machine with only torch, NumPy, Pillow, click and tqdm."""
