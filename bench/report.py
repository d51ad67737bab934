"""Time fastact against what people write today, interleaved in one process.

    python bench/report.py [--functions NAME ...] [--sizes N ...]
                           [--dtypes float32 float64] [--json FILE] ...

Same as ``python -m fastact bench``; the cases, recipes and timer live in
``fastact/_bench.py``.  For each case every competitor is called once per
round (rotating order) and per-competitor medians are compared: the table
shows fastact's median in µs and competitor_time / fastact_time (> 1 means
fastact is faster), with a geometric-mean row.
"""

import glob
import os
import sys

# From a checkout built in place (python setup.py build_ext --inplace), time
# the fastact next to this script; otherwise the installed one.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if glob.glob(os.path.join(_ROOT, "fastact", "_ext.*")):
    sys.path.insert(0, _ROOT)

from fastact import _bench  # noqa: E402

if __name__ == "__main__":
    sys.exit(_bench.main())
