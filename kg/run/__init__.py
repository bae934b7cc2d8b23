"""Running builds: one article through every stage (`analyse`), many articles with failures
recorded (`builder`), in worker processes or on Dask (`parallel`), with a progress bar
(`progress`).
"""
