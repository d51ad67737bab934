"""The mpmath oracle lives in the package (fastact/_verify/oracle.py) so that
`python -m fastact accuracy` can use it; `import oracle` in the tests is
that same module."""

import sys

from fastact._verify import oracle

sys.modules[__name__] = oracle
