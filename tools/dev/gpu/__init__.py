"""A training cycle on a borrowed GPU machine: ``train_on_gpu.sh`` (train for a budget, export,
split), ``gpu_session.sh`` (the whole session as one command) and ``training_crops`` (crops small
enough to travel with the code)."""
