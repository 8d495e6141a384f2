"""The scale generator of the benchmarks (``bench/generate.py`` is its command line): cases
written set-based, as the services would have written them for the same history.

* :mod:`.paths`: the task and event rows of each history, recorded from cases driven through
  the services (:mod:`casework.scenarios`) in a transaction that is rolled back;
* :mod:`.staging`: the temporary tables a load joins, and the staging table of a chunk;
* :mod:`.insert`: the ``INSERT … SELECT`` statements of a chunk;
* :mod:`.load`: :func:`~.load.generate`, the whole load;
* :mod:`.data` and :mod:`.sql`: the values drawn from, and the SQL that draws them.
"""
