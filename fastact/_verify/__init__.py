"""The independent implementations fastact is checked against: the
pure-NumPy twin's element formulas (reference_kernels.py, which
fastact.reference exposes) and the mpmath oracle (oracle.py, the ground
truth of the accuracy tests and of `python -m fastact accuracy`)."""
