"""``python -m aecodec.tools.cli``: the ``aecodec`` command (also as ``torchrun -m aecodec.tools.cli``)."""

from aecodec.tools.cli.main import main

main()
