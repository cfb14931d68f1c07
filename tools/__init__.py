"""What a user runs beyond the API: the command line, training, evaluation and benchmarks."""
