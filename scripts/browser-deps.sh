#!/usr/bin/env bash
# Install Debian's Chromium and CJK fonts for the browser tests when they are missing.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "Browser tests need Debian's chromium and fonts-noto-cjk: apt-get install chromium fonts-noto-cjk" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fontconfig >/dev/null
