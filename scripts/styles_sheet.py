"""`make styles-sheet`: a contact sheet per aspect, one still from the middle of every visual style.

Every style renders the same fixed storyboard (sample product, evenly timed words, a stand-in
presenter for the avatar slot) as a short small ad through the real renderer; the middle frame of
each goes into one labelled PNG grid per aspect: out/styles-sheet-<aspect>.png.

    .venv/bin/python scripts/styles_sheet.py [--aspect 9x16] [--only NAME ...] [--out out]
"""

import argparse
import subprocess
import sys
import tempfile
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw

from linkreel.config import Settings
from linkreel.media.captions import caption_track
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.fonts import pil_font
from linkreel.media.render import RenderOptions, render
from linkreel.media.storyboard import LEAD_IN_MS, Extras, build_timeline
from linkreel.media.templates import STYLES
from linkreel.media.templates.sample import presenter_sprite, sample_facts, sample_narration, silent_voice
from linkreel.media.timeline import ASPECTS

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ROOT / "examples" / "aerobottle" / "img"
IMAGES = tuple(str(PHOTOS / f"aero-{n}.jpg") for n in ("coral", "desk", "trio", "teal"))
TILE = {"9x16": (216, 384), "16x9": (384, 216), "1x1": (288, 288)}
LENGTH_MS = 15000
COLUMNS = 8


def still(exe: str, video: Path, at_s: float) -> Image.Image:
    raw = subprocess.run([exe, "-v", "error", "-ss", f"{at_s:.2f}", "-i", str(video), "-frames:v", "1", "-f", "image2",
                          "-c:v", "png", "-"], capture_output=True, check=True).stdout
    return Image.open(BytesIO(raw)).convert("RGB")


def sheet(aspect: str, names: list[str], out: Path, work: Path) -> Path:
    exe = ffmpeg_exe()
    voice = silent_voice(exe, work / "voice.wav", LENGTH_MS / 1000)
    avatar = presenter_sprite(exe, work / "presenter.mov", seconds=LENGTH_MS / 1000)
    script, narration = sample_narration(str(voice))
    opts = RenderOptions(ffmpeg=exe, fonts_cache=Settings().cache_path, preset="ultrafast")
    tiles: list[tuple[str, Image.Image]] = []
    for name in names:
        style = STYLES[name]
        if aspect not in style.ratios:
            continue
        captions = caption_track(narration.speech, "en", LEAD_IN_MS, style.caption_box)
        timeline = build_timeline(script, narration, sample_facts(IMAGES), style, LENGTH_MS, None, captions=captions,
                                  extras=Extras(avatar=str(avatar)))
        video = render(timeline, aspect, work / f"{name}-{aspect}.mp4", work / name, opts, size=TILE[aspect]).output
        tiles.append((name, still(exe, video, LENGTH_MS / 2000)))
        print(f"{aspect} {name}", flush=True)
    tw, th = TILE[aspect]
    label_h = 18
    rows = (len(tiles) + COLUMNS - 1) // COLUMNS
    grid = Image.new("RGB", (COLUMNS * (tw + 6) + 6, rows * (th + label_h + 6) + 6), (30, 30, 34))
    draw = ImageDraw.Draw(grid)
    font = pil_font("Noto Sans", 11, 600)
    for i, (name, img) in enumerate(tiles):
        x, y = 6 + (i % COLUMNS) * (tw + 6), 6 + (i // COLUMNS) * (th + label_h + 6)
        grid.paste(img.resize((tw, th)), (x, y + label_h))
        draw.text((x, y + 2), name.removesuffix("Template"), font=font, fill=(235, 235, 235))
    path = out / f"styles-sheet-{aspect}.png"
    grid.save(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aspect", action="append", choices=ASPECTS)
    parser.add_argument("--only", action="append", help="style names (default: all 54)")
    parser.add_argument("--out", default=str(ROOT / "out"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = args.only or list(STYLES)
    with tempfile.TemporaryDirectory(prefix="styles-sheet-") as tmp:
        for aspect in args.aspect or ASPECTS:
            print(sheet(aspect, names, out, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
