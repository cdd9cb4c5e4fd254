#!/usr/bin/env bash
# Run the whole suite. On SQLite, tests marked `postgres` are deselected (and counted).
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [ -n "${DATABASE_URL:-}${DB_HOST:-}" ]; then
  echo "== tests on PostgreSQL (${DB_HOST:-$DATABASE_URL}), cache: ${REDIS_URL:-local memory}"
  exec "$PY" -m pytest "$@"
fi
echo "== tests on the embedded default (SQLite, local-memory cache); PostgreSQL-only tests deselected"
exec "$PY" -m pytest -m "not postgres" "$@"
