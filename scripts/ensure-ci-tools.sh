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
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (install them with apt-get)" >&2
  exit 1
fi
# Packages like nginx and prometheus start their daemon on install; CI only needs the binaries.
# A policy-rc.d that says "no" stops that (removed again afterwards if we created it).
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
echo "Installing Debian packages for CI: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
