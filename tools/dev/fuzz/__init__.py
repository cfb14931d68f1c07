"""Fuzzers: the ``.aec`` reader and decoder (``decoder``), the image inputs of ``compress``
(``images``) and the command line's I/O (``cli``); mutations of valid files and the reports."""
