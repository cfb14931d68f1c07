"""An evaluation's outputs: ``rd.json``/``rd.csv`` (``rd_files``), the tables both reports share
(``tables``), ``report.md`` (``markdown``), ``report.html`` with its viewer (``html``), the plots
and the viewer sheet."""
