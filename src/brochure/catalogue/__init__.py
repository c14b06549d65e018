"""Building the catalogue: the matrix of outputs, planning, the worker pool and the manifest."""
