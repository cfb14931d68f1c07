"""Rate–distortion evaluation: codecs behind one interface, measurements, BD-rate, plots, report.

The ``aecodec eval`` command lives in :mod:`aecodec.tools.evaluation.command`. Modules import
their heavy dependencies (numpy, torch, matplotlib, codec plugins) inside functions so that the
command line starts quickly.
"""
