#!/usr/bin/env bash
# The main job, offline: serve the bundled outlet copies on 127.0.0.1, crawl them all into
# archive.db, then serve the archive with Datasette at http://127.0.0.1:8001/ (Ctrl-C stops it).
# Extra arguments go to `pkus demo` (e.g. --no-serve, --port 8002, --db other.db).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/pkus demo "$@"
