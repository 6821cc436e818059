#!/usr/bin/env bash
# System packages the tests need besides Python's: Chromium for the browser tests (Playwright
# drives Debian's /usr/bin/chromium; it never downloads a browser) and a CJK font so pages and
# PDFs render Chinese.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! scripts/apt-install.sh chromium fonts-noto-cjk; then
    echo "WARNING: without chromium and fonts-noto-cjk the browser tests (tests/browser/) fail." >&2
fi
