#!/usr/bin/env bash
# The card-face render benchmark with Pillow + FreeType drawing the same face in the same run
# (docs/performance.md): builds sscard-bench (release) and runs `sscard-bench render`, which
# calls scripts/bench-render-pillow.py. The figures compare with Pillow 13: when python3 has none
# (or Debian's older python3-pil, which the tests use), Pillow 13 is installed from PyPI into a
# virtual environment under .build/ (Debian's python3 refuses a plain pip install).
#
#   bash scripts/bench-render.sh [--count N]
set -euo pipefail
cd "$(dirname "$0")/.."
pillow13='import PIL, sys; sys.exit(int(PIL.__version__.split(".")[0]) < 13)'
if ! python3 -c "$pillow13" 2>/dev/null; then
    venv=.build/bench-pillow-venv
    [ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
    "$venv/bin/python3" -c "$pillow13" 2>/dev/null || "$venv/bin/python3" -m pip install --quiet 'Pillow>=13'
    export PATH="$PWD/$venv/bin:$PATH"
fi
swift build -c release --product sscard-bench
.build/release/sscard-bench render "$@"
