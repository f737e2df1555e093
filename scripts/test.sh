#!/usr/bin/env bash
# Run the whole suite. DATABASE_URL chooses the database (SQLite by default).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export KETENPLAN_ENV=development
# Tests use their own throw-away state directory, never the developer's var/.
if [ -z "${KETENPLAN_VAR_DIR:-}" ]; then
    KETENPLAN_VAR_DIR="$(mktemp -d)"
    trap 'rm -rf "$KETENPLAN_VAR_DIR"' EXIT
fi
export KETENPLAN_VAR_DIR
workers="${TEST_WORKERS:-auto}"
"$BIN/python" -m pytest -n "$workers" --dist loadfile "$@"
