#!/bin/sh
# Installs Debian's chromium for the browser tests (tests/test_web_*.py) when it is missing.
# Idempotent; needs root (or sudo) only when it actually installs. Playwright drives this binary,
# so Playwright's own browser downloads are never needed.
set -eu
BIN=/usr/bin/chromium
if [ -x "$BIN" ]; then
    echo "chromium: $("$BIN" --version 2>/dev/null || echo present)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "error: installing chromium needs root (or sudo)" >&2; exit 1; }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
echo "chromium: $("$BIN" --version 2>/dev/null)"
