"""Developer tools, run from a checkout and never installed (``pyproject.toml`` leaves this folder
out): benchmarks that write ``results/`` (``bench``), fuzzers (``fuzz``) and the scripts for a
borrowed GPU machine (``gpu``). Run them as ``python -m aecodec.tools.dev.<folder>.<tool>`` with
the checkout installed in editable mode (``pip install -e .``)."""
