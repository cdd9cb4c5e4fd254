#!/usr/bin/env bash
# Validate the deploy/ files offline. Extended as deploy files are added.
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."
.venv/bin/python -c "import ast,sys; ast.parse(open('deploy/gunicorn.conf.py').read())"
echo "deploy files: ok"
