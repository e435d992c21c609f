#!/usr/bin/env bash
# Install the lowest version of every direct dependency that pyproject.toml allows (its ">="
# bounds) into .venv-lowest, and run the test suite there: the bounds are claims, and this
# proves them. The browser, load and lint checks run in the main environment only.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv-lowest
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" - <<'PY' > "$VENV/lowest.txt"
import re, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for req in project["dependencies"]:
    m = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([^,;\s]+)", req)
    if m:
        print(f"{m.group(1)}=={m.group(2)}")
PY
echo "lowest direct versions:"; cat "$VENV/lowest.txt"
"$VENV/bin/python" -m pip install --quiet -c "$VENV/lowest.txt" -e '.[test]'
"$VENV/bin/python" -m geo validate
"$VENV/bin/pytest" -q -m "not browser and not load" -p no:cacheprovider
