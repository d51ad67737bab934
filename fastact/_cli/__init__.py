"""What ``python -m fastact`` (fastact/__main__.py) runs: one module per
command (bench.py, accuracy.py, plot.py, demo.py) and the message every
command gives when an optional package is missing (optional.py).  These
modules use the public package; nothing in fastact imports them."""
