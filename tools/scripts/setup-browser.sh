#!/usr/bin/env bash
# Installs Debian's `chromium` for the browser (e2e) tests when /usr/bin/chromium is missing. Idempotent and quiet:
# prints one line only when it installs. Never downloads a browser from elsewhere (playwright-core is driven with
# executablePath=/usr/bin/chromium). Override the path with CHROMIUM_PATH.
set -euo pipefail
bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$bin" ]; then exit 0; fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: $bin is missing and apt-get is not available; install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
    echo "setup-browser: run as root (or with sudo) to install chromium" >&2; exit 1
  fi
fi
echo "setup-browser: installing Debian's chromium package"
log="$(mktemp)"
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"
  echo "setup-browser: could not install chromium" >&2
  exit 1
fi
rm -f "$log"
[ -x "$bin" ] || { echo "setup-browser: chromium installed but $bin is missing; set CHROMIUM_PATH" >&2; exit 1; }
