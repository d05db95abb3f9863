#!/usr/bin/env bash
# Create .venv and install pkus-archive into it (editable, with test extras).
# Re-running is cheap: it reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "pkus-archive needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1))" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.pkus-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pkus-archive and its dependencies into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test]'
  # an installed Datasette plugin loads itself: one the project dropped must go (datasette-vega
  # put 922 KiB of JavaScript on every page)
  .venv/bin/python -m pip uninstall --quiet -y datasette-vega 2>/dev/null || true
  echo "$want" > "$stamp"
fi
