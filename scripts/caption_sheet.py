"""A contact sheet of the 18 caption styles: one 9:16 still each, over a product photo, while the
third word of a line is spoken (so each style's per-word effect shows), in one labelled PNG.

    .venv/bin/python scripts/caption_sheet.py [--out out] [--aspect 9x16] [--language en]

Captions are rendered by libass through ffmpeg exactly as in an ad (same ASS writer, same fonts).
"""

import argparse
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw

from linkreel.config import Settings
from linkreel.media.caption_styles import CAPTION_STYLES
from linkreel.media.captions import caption_track, to_ass
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.fonts import fonts_dir, pil_font
from linkreel.media.templates import get_style
from linkreel.media.timeline import SIZES
from linkreel.voice.speech import Speech, WordTiming

ROOT = Path(__file__).resolve().parent.parent
PHOTO = ROOT / "examples" / "aerobottle" / "img" / "aero-coral.jpg"
SAMPLES = {
    "en": "Meet the AeroBottle Pro today. Ice cold for a whole day, hot for twelve hours!",
    "de": "Die Donaudampfschifffahrtsgesellschaftskapitänsmütze passt immer.",
    "ja": "このボトルは一日中つめたいままです。",
    "ar": "هذه الزجاجة تحافظ على برودة الماء طوال اليوم.",
}
COLUMNS = 6
STEP_MS = 320


def sample_speech(text: str, spaced: bool) -> Speech:
    """Evenly timed words (characters for unspaced scripts), as a TTS would report them."""
    units: list[tuple[int, int]] = []
    if spaced:
        pos = 0
        for w in text.split():
            start = text.index(w, pos)
            pos = start + len(w)
            core = w.rstrip(".,!?")
            units.append((start, start + len(core)))
    else:
        units = [(i, i + 1) for i, ch in enumerate(text) if ch not in "。、"]
    words = [WordTiming(text=text[a:b], start_ms=i * STEP_MS, end_ms=(i + 1) * STEP_MS, char_start=a, char_end=b)
             for i, (a, b) in enumerate(units)]
    return Speech(audio_path="none.wav", sample_rate=22050, duration_ms=len(words) * STEP_MS, text=text, words=words)


def still(exe: str, ass: Path, fonts: Path, aspect: str, at_ms: int) -> Image.Image:
    w, h = SIZES[aspect]
    graph = (f"[0:v]scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},"
             f"ass=filename={ass.name}:fontsdir={fonts}")
    raw = subprocess.run([exe, "-v", "error", "-loop", "1", "-i", str(PHOTO), "-filter_complex", graph,
                          "-ss", f"{at_ms / 1000:.3f}", "-frames:v", "1", "-f", "image2", "-c:v", "png", "-"],
                         capture_output=True, check=True, cwd=ass.parent).stdout
    return Image.open(BytesIO(raw)).convert("RGB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--aspect", default="9x16")
    parser.add_argument("--language", default="en", choices=sorted(SAMPLES))
    args = parser.parse_args()

    settings = Settings()
    exe = ffmpeg_exe(settings.ffmpeg)
    fonts = fonts_dir(settings.cache_path).resolve()
    speech = sample_speech(SAMPLES[args.language], spaced=args.language not in ("ja", "zh"))
    box = get_style("DynamicProductTemplate").caption_box
    at_ms = speech.words[2].start_ms + 240  # the third word is being spoken, its effect settled
    tile_w = 360
    tiles: list[tuple[str, Image.Image]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, look in CAPTION_STYLES.items():
            track = caption_track(speech, args.language, 0, box, look)
            ass = Path(tmp) / f"{name}.ass"
            ass.write_text(to_ass(track, args.aspect, language=args.language), "utf-8")
            frame = still(exe, ass, fonts, args.aspect, at_ms)
            tiles.append((name, frame.resize((tile_w, round(frame.height * tile_w / frame.width)))))
    tile_h = tiles[0][1].height
    label_h = 40
    rows = (len(tiles) + COLUMNS - 1) // COLUMNS
    sheet = Image.new("RGB", (COLUMNS * tile_w, rows * (tile_h + label_h)), (24, 24, 28))
    draw = ImageDraw.Draw(sheet)
    font = pil_font("Noto Sans", 28, 700)
    for i, (name, tile) in enumerate(tiles):
        x, y = (i % COLUMNS) * tile_w, (i // COLUMNS) * (tile_h + label_h)
        sheet.paste(tile, (x, y + label_h))
        draw.text((x + 8, y + 4), name, font=font, fill=(240, 240, 240))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"caption-styles-{args.aspect}-{args.language}.png"
    sheet.save(path)
    print(path)


if __name__ == "__main__":
    main()
