#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing (as root), or say how.
set -o errexit -o pipefail -o nounset
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "chromium not found at /usr/bin/chromium: install it (sudo apt-get install chromium)" >&2
exit 1
