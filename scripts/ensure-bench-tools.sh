#!/usr/bin/env bash
# Debian tools `make bench` and `make resilience` use: wrk (the load generator), redis-server and
# the PostgreSQL server binaries (resilience starts private instances of both on loopback ports).
# Installed when missing, as root, without starting the services.
set -o errexit -o pipefail -o nounset
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v redis-server >/dev/null || need+=(redis-server)
command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
bash "$(dirname "$0")/apt-install-missing.sh" "bench/resilience" "${need[@]}"
