#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter, or explains what to install.
# Rasa 3.6 (the last open-source Rasa) supports Python 3.8-3.10 only.
set -u
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.10)
candidates+=("${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10)
for c in "${candidates[@]}"; do
  p=$(command -v "$c" 2>/dev/null) || continue
  if "$p" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$p"
    exit 0
  fi
done
# printf is a shell builtin: the message shows even on a bare PATH.
printf '%s\n' >&2 \
  "error: Python 3.10 was not found, and Rasa 3.6 runs only on Python 3.8-3.10." \
  "Install Python 3.10 with its venv module, then run the command again, e.g.:" \
  "  pyenv install 3.10          (it is then found under ~/.pyenv/versions)" \
  "  or: apt-get install python3.10 python3.10-venv" \
  "  or: set PYTHON=/path/to/python3.10"
exit 1
