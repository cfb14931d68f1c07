"""What a user runs beyond the API: the command line (``cli``), training (``training``) and the
rate–distortion evaluation (``evaluation``). ``dev/`` (benchmarks, fuzzers, GPU-lease scripts) and
``candidates/`` (weights in training) live here in the checkout but are not installed."""
