#!/usr/bin/env bash
# Runs python3 with the given arguments, choosing one that can import Pillow: python3 on PATH
# (where scripts/bench-render.sh puts its Pillow 13 virtual environment), else Debian's
# /usr/bin/python3 (where scripts/install-deps.sh puts python3-pil); python3 on PATH when
# neither can, so the error says why. The render benchmark and its tests start the Pillow
# script through it:
#
#   bash scripts/pillow-python.sh scripts/bench-render-pillow.py FACE.json --serve
#   bash scripts/pillow-python.sh -c 'import PIL.ImageFont'     # exit 0: Pillow is there
for python in python3 /usr/bin/python3; do
    if command -v "$python" >/dev/null && "$python" -c 'import PIL.ImageFont' 2>/dev/null; then
        exec "$python" "$@"
    fi
done
exec python3 "$@"
