#!/usr/bin/env bash
# The whole test suite, from a fresh clone: sets up .venv and the browser, then runs pytest.
# Extra arguments go to pytest (e.g. -k search, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-chromium.sh
exec .venv/bin/python -m pytest "$@"
