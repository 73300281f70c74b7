#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs exactly the pinned set in
# requirements.lock. Re-runs only when the lock or pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.installed
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
py=$(scripts/find-python310.sh)
echo "Setting up .venv with $py (first run takes about 3 minutes) ..."
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade "pip==26.3"
.venv/bin/python -m pip install --quiet --no-deps -r requirements.lock
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
scripts/pip-check.sh .venv/bin/python
echo "$want" > "$stamp"
echo ".venv ready."
