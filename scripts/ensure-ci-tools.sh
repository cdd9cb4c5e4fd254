#!/usr/bin/env bash
# Debian tools the CI checks use (deploy-file linters). Installed when missing, as root.
set -o errexit -o pipefail -o nounset
need=()
command -v pg_dump >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (install them with apt-get)" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
