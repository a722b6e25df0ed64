#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter (ansible-core 2.21 needs it).
# Looks at $PYTHON, then python3.13/python3.12/python3 on PATH, then pyenv's
# installed versions.  Exits 1 with one clear message when there is none.
set -euo pipefail

ok() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for name in python3.12 python3.13 python3; do
  path=$(command -v "$name" 2>/dev/null || true)
  [ -n "$path" ] && candidates+=("$path")
done
pyenv_root=${PYENV_ROOT:-}
if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
  pyenv_root=$(pyenv root 2>/dev/null || true)
fi
[ -z "$pyenv_root" ] && [ -d "$HOME/.pyenv" ] && pyenv_root=$HOME/.pyenv
if [ -n "$pyenv_root" ] && [ -d "$pyenv_root/versions" ]; then
  while IFS= read -r dir; do
    for exe in "$dir"/bin/python3.1[2-9] "$dir"/bin/python3; do
      [ -x "$exe" ] && candidates+=("$exe")
    done
  done < <(ls -d "$pyenv_root"/versions/3.* 2>/dev/null | sort -rV)
fi

for exe in "${candidates[@]}"; do
  # pyenv shims may point at a version that is not installed: run to be sure.
  if ok "$exe"; then
    "$exe" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done

echo "error: Python >= 3.12 is required (ansible-core 2.21) and none was found on PATH or in pyenv." \
     "Install one (e.g. 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
exit 1
