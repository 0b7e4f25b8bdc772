"""Persona preview media: a still and a short talking clip per aspect, made on first use and cached.

    preview_url(settings, persona, "image", "9x16")   -> ".../media/personas/<id>/image_9x16.jpg"
    ensure_preview(settings, persona, "video", "16x9") -> Path of the cached MP4 (rendered once)
    persona_voice(persona, language)                   -> the persona's default Voice in that language
    contact_sheet(personas, cell=(270, 360))           -> one image with every persona, for review

Files live under `settings.cache_path / "personas" / <id>` and are written to a temp file then
renamed, so concurrent requests never serve half a file. A clip is the presenter saying a sample
line in its matched voice, over its own scene.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from linkreel.avatars.performance import Direction, RoleSpan
from linkreel.avatars.personas import Persona
from linkreel.avatars.sprite import DrawnAvatar, write_sprite
from linkreel.config import Settings
from linkreel.errors import RenderError
from linkreel.files import make_once
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.ffmpeg import run as run_ffmpeg
from linkreel.voice import catalog
from linkreel.voice.espeak import EspeakTTS
from linkreel.voice.speech import Speech, Voice

CANVAS: dict[str, tuple[int, int]] = {"9x16": (360, 640), "16x9": (640, 360), "1x1": (480, 480)}
KINDS: dict[str, str] = {"image": "jpg", "video": "mp4"}
SAMPLE = "Hi, I'm {name}! Let me show you something you'll love. Tap the link and try it today."
SAMPLE_FPS = 25


def persona_voice(persona: Persona, language: str = "en") -> Voice:
    """The persona's matched voice: the language's default voice of the persona's voice gender."""
    return catalog.default_voice(language, persona.voice_gender)


def preview_name(kind: str, aspect: str) -> str:
    if kind not in KINDS or aspect not in CANVAS:
        raise ValueError(f"no preview {kind!r} for aspect {aspect!r}")
    return f"{kind}_{aspect}.{KINDS[kind]}"


def preview_url(settings: Settings, persona: Persona, kind: str, aspect: str) -> str:
    return f"{settings.public_url.rstrip('/')}/media/personas/{persona.id}/{preview_name(kind, aspect)}"


def preview_urls(settings: Settings, persona: Persona) -> dict[str, str]:
    """The §6.1 preview fields of a persona."""
    image = {a: preview_url(settings, persona, "image", a) for a in CANVAS}
    video = {a: preview_url(settings, persona, "video", a) for a in CANVAS}
    return {
        "preview_image_16_9": image["16x9"], "preview_image_1_1": image["1x1"], "preview_image_9_16": image["9x16"],
        "preview_video_16_9": video["16x9"], "preview_video_1_1": video["1x1"], "preview_video_9_16": video["9x16"],
        "landscape_preview_video": video["16x9"], "squared_preview_video": video["1x1"],
        "portrait_preview_video": video["9x16"],
    }


def sprite_size(aspect: str) -> tuple[int, int]:
    """The presenter's box in a preview canvas: 3:4, bottom-centred, even sides."""
    w, h = CANVAS[aspect]
    height = round(h * (0.72 if aspect == "9x16" else 1.0)) // 2 * 2
    return (height * 3 // 4) // 2 * 2, height


def _offset(aspect: str) -> tuple[int, int]:
    w, h = CANVAS[aspect]
    sw, sh = sprite_size(aspect)
    return (w - sw) // 2, h - sh


def _background(persona: Persona, aspect: str) -> Image.Image:
    from linkreel.avatars.looks import look_for
    from linkreel.avatars.scenes import paint_scene

    return paint_scene(look_for(persona).scene, CANVAS[aspect])


def _speak(persona: Persona, wav: Path) -> Speech:
    return EspeakTTS().synthesize(SAMPLE.format(name=persona.creator_name), persona_voice(persona), str(wav))


def _direction(speech: Speech) -> Direction:
    half = speech.duration_ms // 2
    return Direction(roles=[RoleSpan(0, half, "hook"), RoleSpan(half, speech.duration_ms, "cta")])


def render_image(persona: Persona, aspect: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        speech = _speak(persona, Path(tmp) / "voice.wav")
    stream = DrawnAvatar(background=False).animate(speech, persona, sprite_size(aspect), SAMPLE_FPS,
                                                   _direction(speech))
    # a frame with open eyes and a smile, early in the hook
    frame = next(f for i, f in enumerate(stream.frames) if i == 8)
    canvas = _background(persona, aspect)
    canvas.alpha_composite(frame, _offset(aspect))
    canvas.convert("RGB").save(out, "JPEG", quality=88)


def render_video(persona: Persona, aspect: str, out: Path, ffmpeg: str) -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        speech = _speak(persona, tmp / "voice.wav")
        stream = DrawnAvatar(background=False).animate(speech, persona, sprite_size(aspect), SAMPLE_FPS,
                                                       _direction(speech))
        write_sprite(stream, tmp / "sprite.mov", ffmpeg)
        _background(persona, aspect).convert("RGB").save(tmp / "bg.png")
        x, y = _offset(aspect)
        run_ffmpeg(ffmpeg, [
            "-loop", "1", "-framerate", str(SAMPLE_FPS), "-i", str(tmp / "bg.png"), "-i", str(tmp / "sprite.mov"),
            "-i", speech.audio_path, "-filter_complex", f"[0:v][1:v]overlay={x}:{y}:shortest=1,format=yuv420p[v]",
            "-map", "[v]", "-map", "2:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "26",
            "-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart", "-f", "mp4", str(out),
        ])


def _render_once(target: Path, render: Callable[[Path], None]) -> Path:
    try:
        return make_once(target, render)
    except (OSError, subprocess.SubprocessError) as exc:
        raise RenderError(f"could not render the persona preview: {exc}") from exc


def ensure_preview(settings: Settings, persona: Persona, kind: str, aspect: str) -> Path:
    target = settings.cache_path / "personas" / persona.id / preview_name(kind, aspect)
    if kind == "image":
        return _render_once(target, lambda out: render_image(persona, aspect, out))
    ffmpeg = ffmpeg_exe(settings.ffmpeg)
    return _render_once(target, lambda out: render_video(persona, aspect, out, ffmpeg))


def contact_sheet(items: Iterable[Persona], columns: int = 4, aspect: str = "9x16") -> Image.Image:
    """Every persona's preview still in a grid, labelled with name and filters."""
    stills = []
    with tempfile.TemporaryDirectory() as tmp:
        for p in items:
            path = Path(tmp) / f"{p.id}.jpg"
            render_image(p, aspect, path)
            stills.append((p, Image.open(path).convert("RGB")))
    w, h = CANVAS[aspect]
    rows = -(-len(stills) // columns)
    sheet = Image.new("RGB", (columns * w, rows * (h + 40)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=16)
    for k, (p, img) in enumerate(stills):
        x, y = (k % columns) * w, (k // columns) * (h + 40)
        sheet.paste(img, (x, y))
        label = f"{p.creator_name} · {p.gender} · {p.age_range} · {p.location} · {p.style}"
        draw.text((x + 8, y + h + 10), label, fill=(20, 20, 20), font=font)
    return sheet


def write_review(out_dir: Path, items: Iterable[Persona], ffmpeg: str) -> list[Path]:
    """A contact sheet (PNG) and one 9:16 talking clip per persona, for looking at the library."""
    out_dir.mkdir(parents=True, exist_ok=True)
    items = list(items)
    written = [out_dir / "personas.png"]
    contact_sheet(items).save(written[0])
    for p in items:
        clip = out_dir / f"{p.creator_name.lower()}.mp4"
        render_video(p, "9x16", clip, ffmpeg)
        written.append(clip)
    return written


if __name__ == "__main__":  # python -m linkreel.avatars.previews OUT_DIR
    import sys

    from linkreel.avatars.personas import personas

    for path in write_review(Path(sys.argv[1] if len(sys.argv) > 1 else "out/personas"), personas(), ffmpeg_exe()):
        print(path)
