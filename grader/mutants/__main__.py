"""``python -m grader.mutants``: see :mod:`grader.mutants`."""

import sys

from grader.mutants.run import main

sys.exit(main())
