#!/usr/bin/env bash
# The browser of the web UI tests: Debian's chromium at /usr/bin/chromium, driven by
# Playwright (which is told never to download a browser of its own). Installs it when
# missing; quiet and idempotent. Uses sudo only when not root.
set -eu
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "browser-deps: /usr/bin/chromium is missing and apt-get is not available;" \
       "the browser tests will be skipped" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
