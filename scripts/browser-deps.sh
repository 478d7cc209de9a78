#!/usr/bin/env bash
# Debian's Chromium and CJK fonts for the browser tests (never a browser download from elsewhere).
# Installs them when missing: as root directly, otherwise through sudo when it works without a password.
# When they cannot be installed: fail under CI (the browser tests must run there), warn otherwise
# (the browser tests then skip with a message).
set -euo pipefail

have_deps() {
  # Not `grep -q`: it exits at the first match, fc-list dies of SIGPIPE and pipefail calls that a failure.
  [ -x /usr/bin/chromium ] && command -v fc-list >/dev/null &&
    fc-list : family 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null
}

give_up() {
  echo "browser-deps: $1" >&2
  echo "browser-deps: install them with: sudo apt-get update && sudo apt-get install chromium fonts-noto-cjk" >&2
  if [ -n "${CI:-}" ]; then exit 1; fi
  echo "browser-deps: browser tests will be skipped" >&2
  exit 0
}

if have_deps; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  give_up "apt-get not found: the browser tests expect Debian's chromium and fonts-noto-cjk"
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  give_up "not root and no password-less sudo: cannot install chromium and fonts-noto-cjk"
fi

echo "browser-deps: installing Debian's chromium and fonts-noto-cjk" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fontconfig >/dev/null
"${as_root[@]}" fc-cache -f >/dev/null 2>&1 || true
if ! have_deps; then
  give_up "chromium or fonts-noto-cjk still missing after apt-get install"
fi
echo "browser-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)" >&2
