"""Time fastact against PyTorch (or NumPy/SciPy recipes), each competitor in
its own process.

    python bench/report.py [--functions NAME ...] [--sizes N ...] [--per-core]
                           [--dtypes float32 float64] [--competitors ...] [--json FILE]

Same as ``python -m fastact bench``; the cases, recipes, worker processes
and tables live in ``fastact/_cli/bench.py`` (its docstring and the README's
Benchmarks section describe the method).  The table shows medians and
competitor_time / fastact_time (> 1 means fastact is faster), then the rows
below 1.0 and the geometric means per dtype and size.
"""

import glob
import os
import sys

# From a checkout built in place (python setup.py build_ext --inplace), time
# the fastact next to this script; otherwise the installed one.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if glob.glob(os.path.join(_ROOT, "fastact", "_ext.*")):
    sys.path.insert(0, _ROOT)

from fastact._cli import bench  # noqa: E402

if __name__ == "__main__":
    sys.exit(bench.main())
