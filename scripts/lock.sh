#!/usr/bin/env bash
# make lock: resolve pyproject's dependencies (with the test extra) afresh, newest versions that
# pyproject allows, and pin every one of them in constraints.txt, which `make run` and
# `make test` install with.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -x .venv/bin/python ]] || "${PYTHON:-python3}" -m venv .venv
report=$(mktemp)
trap 'rm -f "$report"' EXIT
.venv/bin/pip install --quiet --dry-run --ignore-installed --report "$report" -e '.[test]'
{
    echo "# Every package Xueji installs, pinned: a fresh install gets the versions the tests ran with."
    echo "# make lock re-resolves pyproject.toml to the newest versions it allows; run make test after."
    .venv/bin/python - "$report" <<'PY'
import json, sys
installed = json.load(open(sys.argv[1]))["install"]
pins = {item["metadata"]["name"]: item["metadata"]["version"] for item in installed}
pins.pop("xueji", None)
for name in sorted(pins, key=str.lower):
    print(f"{name}=={pins[name]}")
PY
} > constraints.txt.new
mv constraints.txt.new constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages pinned."
