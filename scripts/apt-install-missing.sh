#!/usr/bin/env bash
# Install the named Debian packages (as root) without starting their services.
# Usage: apt-install-missing.sh "what they are for" PACKAGE...   (no packages: nothing to do)
set -o errexit -o pipefail -o nounset
purpose=$1
shift
if [ $# -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages for ${purpose}: $* (install them with apt-get)" >&2
  exit 1
fi
# Packages like nginx, prometheus and postgresql start their daemon on install; we only need the
# binaries. A policy-rc.d that says "no" stops that (removed again afterwards if we created it).
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
echo "Installing Debian packages for ${purpose}: $*"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
