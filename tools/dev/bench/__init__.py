"""Benchmarks and comparisons that write ``results/`` (each result records its machine): Kodak
through the command line, encoder effort, rate-aware rounding, large images, speed against the
peers, training speed, weights side by side, the README's figure, and exactness across devices."""
