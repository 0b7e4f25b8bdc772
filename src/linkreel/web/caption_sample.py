"""Caption style samples for the new-ad page: one small still per caption style.

Each is rendered the way an ad's captions are (the same ASS writer, fonts and libass through ffmpeg),
on a plain 9:16 frame while the third word is spoken, so the style's per-word effect shows. A style is
drawn once (about half a second) and then served from `<cache>/web/`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from linkreel.api.errors import ApiError
from linkreel.config import Settings
from linkreel.media.caption_styles import CAPTION_STYLES
from linkreel.media.captions import caption_track, to_ass
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.fonts import fonts_dir
from linkreel.media.templates import get_style
from linkreel.voice.speech import Speech, WordTiming
from linkreel.web.session import SignedIn

router = APIRouter(include_in_schema=False)

TEXT = "Meet the AeroBottle today. Ice cold for a whole day!"
STEP_MS = 320
VERSION = 2  # bump when the sample's look changes: old files are never served again
SIZE = (360, 240)
BAND = "crop=1080:720:0:960"  # the caption band of a 9:16 frame (DynamicProductTemplate's caption box)
BACKGROUND = "0x4a5468"  # a mid-tone, so light and dark caption styles both read as they would on a photo


def _speech(text: str) -> Speech:
    """Evenly timed words, as a TTS would report them."""
    words, pos = [], 0
    for i, word in enumerate(text.split()):
        start = text.index(word, pos)
        pos = start + len(word)
        core = word.rstrip(".,!?")
        words.append(WordTiming(text=core, start_ms=i * STEP_MS, end_ms=(i + 1) * STEP_MS, char_start=start,
                                char_end=start + len(core)))
    return Speech(audio_path="none.wav", sample_rate=22050, duration_ms=len(words) * STEP_MS, text=text,
                  words=words)


def sample_path(settings: Settings, style: str) -> Path:
    return settings.cache_path / "web" / f"caption-{style}-v{VERSION}.jpg"


def render_sample(settings: Settings, style: str) -> Path:
    out = sample_path(settings, style)
    if out.is_file():
        return out
    speech = _speech(TEXT)
    track = caption_track(speech, "en", 0, get_style("DynamicProductTemplate").caption_box, CAPTION_STYLES[style])
    at_s = (speech.words[2].start_ms + 240) / 1000  # the third word is spoken, its effect settled
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ass = Path(tmp) / "captions.ass"
        ass.write_text(to_ass(track, "9x16", language="en"), "utf-8")
        graph = (f"ass=filename={ass.name}:fontsdir={fonts_dir(settings.cache_path).resolve()},"
                 f"{BAND},scale={SIZE[0]}:{SIZE[1]}")
        partial = Path(tmp) / "sample.jpg"
        subprocess.run([ffmpeg_exe(settings.ffmpeg), "-v", "error", "-f", "lavfi", "-i",
                        f"color=c={BACKGROUND}:s=1080x1920:r=30:d=10", "-vf", graph, "-ss", f"{at_s:.3f}",
                        "-frames:v", "1", "-q:v", "3", str(partial)], check=True, capture_output=True, cwd=tmp,
                       timeout=60)
        os.replace(partial, out)  # whole files only: two first requests may race
    return out


@router.get("/web/caption-samples/{style}.jpg")
def caption_sample(style: Annotated[str, PathParam()], request: Request, session: SignedIn) -> FileResponse:
    if style not in CAPTION_STYLES:
        raise ApiError.not_found()
    path = render_sample(request.app.state.settings, style)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})
