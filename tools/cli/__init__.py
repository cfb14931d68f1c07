"""The ``aecodec`` command line (click): the commands (``main``), what they do apart from parsing
(``commands``, ``runs``), batches in worker processes, and safe I/O (files, pipes, spools,
atomic outputs). Heavy imports happen inside commands, so ``aecodec --help`` stays fast; nothing
here imports torch until a command needs it."""
