#!/usr/bin/env bash
# Debian tools the tests and CI checks use: pg_dump/psql (backup tests), nginx (nginx -t),
# prometheus (promtool), shellcheck. Installed when missing, as root, without starting services.
set -o errexit -o pipefail -o nounset
need=()
command -v pg_dump >/dev/null || need+=(postgresql-client)
command -v psql >/dev/null || need+=(postgresql-client)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v promtool >/dev/null || need+=(prometheus)
command -v shellcheck >/dev/null || need+=(shellcheck)
command -v openssl >/dev/null || need+=(openssl)
bash "$(dirname "$0")/apt-install-missing.sh" "CI" "${need[@]}"
