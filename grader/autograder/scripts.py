"""The two scripts Gradescope runs: ``setup.sh`` once, when it builds the autograder image, and
``run_autograder`` for every submission.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` there as root, and
later runs ``/autograder/run_autograder`` (a copy of the zip's) with the learner's files in
``/autograder/submission``; it reads ``/autograder/results/results.json``. Both scripts take the
root from ``GRADELAB_AUTOGRADER_ROOT`` (default ``/autograder``), so a test can run them against
a fake tree. ``setup.sh`` with ``GRADELAB_SETUP_DRY_RUN=1`` prints its commands instead of running
them; ``run_autograder`` uses ``GRADELAB_AUTOGRADER_PYTHON`` when set (a Python where gradelab is
already installed), else the virtual environment ``setup.sh`` made.

``setup.sh`` installs bubblewrap (the sandbox's second layer, which the settings require by
default: see :mod:`.config`, ``sandbox``; the build fails, saying why, where it cannot work)
and a Python >= 3.11 (Gradescope's Ubuntu 24.04 image has 3.12; on 22.04 it installs
``python3.11``), then the locked torch from PyTorch's CPU index (``GRADELAB_TORCH_INDEX``; PyPI's
Linux wheel is the CUDA build, gigabytes the image does not need), then gradelab from the shipped
source tree with the shipped ``requirements.lock`` as constraints, as ``make`` does. The install is
editable: the virtual environment holds only a pointer to ``/autograder/source/gradelab``, so the
hidden tests and the reference are not inside what the sandbox binds for learner code.
"""

from __future__ import annotations

SETUP_SH = r"""#!/usr/bin/env bash
# gradelab on Gradescope: run once, as root, when Gradescope builds the autograder image.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${GRADELAB_AUTOGRADER_ROOT:-/autograder}"
RUN=""
if [ -n "${GRADELAB_SETUP_DRY_RUN:-}" ]; then RUN="echo"; fi
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1
TORCH_INDEX="${GRADELAB_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}"

$RUN apt-get update
$RUN apt-get install -y --no-install-recommends bubblewrap python3 python3-venv python3-pip

PY=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY="$candidate"
    break
  fi
done
if [ -z "$PY" ]; then  # Ubuntu 22.04: python3 is 3.10, 3.11 is in universe
  $RUN apt-get install -y --no-install-recommends python3.11 python3.11-venv
  PY="python3.11"
fi

$RUN "$PY" -m venv "$ROOT/venv"
# PyPI's Linux torch wheel is the CUDA build (gigabytes of nvidia-* packages): the CPU build of
# the locked version first, from PyTorch's CPU index; the install below then keeps it
TORCH="$(grep -E '^torch==' "$HERE/gradelab/requirements.lock")"
$RUN "$ROOT/venv/bin/python" -m pip install --index-url "$TORCH_INDEX" "$TORCH"
$RUN "$ROOT/venv/bin/python" -m pip install -c "$HERE/gradelab/requirements.lock" -e "$HERE/gradelab"
$RUN "$ROOT/venv/bin/python" -c "import torch, faiss, grader.autograder.run"
# fail the build, not every learner's upload, where the settings' sandbox cannot work
$RUN "$ROOT/venv/bin/python" -P -m grader.autograder.run --root "$ROOT" --check-sandbox
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# gradelab on Gradescope: grade /autograder/submission into /autograder/results/results.json.
set -euo pipefail
ROOT="${GRADELAB_AUTOGRADER_ROOT:-/autograder}"
PY="${GRADELAB_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
cd "$ROOT"
exec "$PY" -P -m grader.autograder.run --root "$ROOT"
"""
