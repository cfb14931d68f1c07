"""Rate–distortion evaluation (``aecodec eval``): measurements of every codec (``codecs/``) through
real files, BD-rates, caveats, the side-by-side viewer, and the outputs (``report/``).

The command lives in :mod:`aecodec.tools.evaluation.command`; one run from start to end in
``pipeline``. Modules import their heavy dependencies (numpy, torch, matplotlib, codec plugins)
inside functions so that the command line starts quickly; nothing here needs torch but MS-SSIM.
"""
