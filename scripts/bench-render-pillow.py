#!/usr/bin/env python3
"""The card face of `sscard-bench render`, drawn with Pillow + FreeType, for the comparison
the render benchmark prints (docs/performance.md).

    python3 scripts/bench-render-pillow.py FACE.json RUNS
    python3 scripts/bench-render-pillow.py FACE.json --serve

FACE.json is what the benchmark writes: the canvas size, the photo (base64 JPEG and the box
its picture fills) and every glyph as the Swift renderer placed it (character, font file and
face index, em size in dots, pen x, baseline y). Each run does what `CardFaceRenderer.render`
does: base64 → JPEG decode → box-filter resize → paste on a white RGB canvas; every glyph
rasterised 1-bit (FreeType mono, as resin black prints) into the K panel; K shown black on the
RGB preview; the overlay panel taken from a mask made once. Fonts are opened and ten faces
drawn before timing, as the driver keeps its font chain open.

With RUNS, times RUNS faces and prints one line: `median <ms> ms, p90 <ms> ms, min <ms> ms (n=<runs>)`
and, on a second line, the versions.

With --serve, prints the versions line once ready, then reads commands from standard input,
one a line: `N` draws N faces and prints one line with the N per-face times in milliseconds,
space separated; end of input ends the program. The benchmark uses this to interleave
Pillow's batches with its own in the same seconds, so the host's changing speed hits both
sides alike.
"""
import base64
import io
import json
import sys
import time

import PIL
from PIL import Image, ImageDraw, ImageFont, features


def face_renderer(spec):
    """A function drawing the face of `spec`, with its fonts and overlay mask made once."""
    width, height = spec["width"], spec["height"]
    fonts = {}
    for g in spec["glyphs"]:
        key = (g["font"], g["faceIndex"], g["em"])
        if key not in fonts:
            try:
                fonts[key] = ImageFont.truetype(g["font"], size=g["em"], index=g["faceIndex"],
                                                layout_engine=ImageFont.Layout.BASIC)
            except TypeError:
                # Pillow before 10 takes whole sizes only (Debian 12's python3-pil is 9.4).
                fonts[key] = ImageFont.truetype(g["font"], size=round(g["em"]), index=g["faceIndex"],
                                                layout_engine=ImageFont.Layout.BASIC)
    glyphs = [(g["char"], fonts[(g["font"], g["faceIndex"], g["em"])], g["x"], g["baseline"]) for g in spec["glyphs"]]
    photo = spec["photo"]
    overlay = Image.new("1", (width, height), 1)
    plate = spec["chipPlate"]
    ImageDraw.Draw(overlay).rectangle([plate[0], plate[1], plate[2] - 1, plate[3] - 1], fill=0)

    def render():
        picture = Image.open(io.BytesIO(base64.b64decode(photo["base64"])))
        picture = picture.convert("RGB").resize((photo["width"], photo["height"]), Image.Resampling.BOX)
        rgb = Image.new("RGB", (width, height), (255, 255, 255))
        rgb.paste(picture, (photo["left"], photo["top"]))
        black = Image.new("1", (width, height), 0)
        draw = ImageDraw.Draw(black)
        draw.fontmode = "1"
        for char, font, x, baseline in glyphs:
            draw.text((x, baseline), char, font=font, fill=1, anchor="ls")
        rgb.paste((0, 0, 0), (0, 0, width, height), black)
        return rgb, black, overlay.copy()

    return render


def timed(render, runs):
    """The time of each of `runs` faces, in seconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        render()
        samples.append(time.perf_counter() - start)
    return samples


def versions():
    return (f"Pillow {PIL.__version__}, FreeType {features.version('freetype2')}, "
            f"libjpeg {features.version('jpg')}, Python {sys.version.split()[0]}")


def serve(render):
    """Answers `N` lines with N per-face times (ms) until standard input ends."""
    print(versions(), flush=True)
    for line in sys.stdin:
        runs = int(line)
        if runs < 1 or runs > 100_000:
            raise SystemExit(f"bench-render-pillow: a batch of {runs} faces is out of range (1 to 100000)")
        print(" ".join(f"{s * 1000:.4f}" for s in timed(render, runs)), flush=True)


def main() -> None:
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    render = face_renderer(spec)
    for _ in range(10):
        render()
    if len(sys.argv) > 2 and sys.argv[2] == "--serve":
        serve(render)
        return
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    samples = sorted(timed(render, runs))
    ms = lambda s: f"{s * 1000:.3f} ms"
    print(f"median {ms(samples[len(samples) // 2])}, p90 {ms(samples[int((len(samples) - 1) * 0.9)])}, "
          f"min {ms(samples[0])} (n={runs})")
    print(versions())


if __name__ == "__main__":
    main()
