"""The pipeline's avatar stage: the presenter for a style's avatar slot, as one alpha sprite file.

    persona = choose_persona(request_avatar, brief_text, language)
    photo = avatar_photo(request_avatar_image, settings)          # override_avatar_by_image / --avatar-image
    avatar, fallback = avatar_backends(settings, photo, background)
    path = render_avatar(speech, scenes, persona, duration_ms, lead_in_ms, out, ffmpeg, fps, ...,
                         avatar=avatar, fallback=fallback)

The sprite covers the ad from 0 ms, so the speech's word and phoneme timings are moved by the
narration's lead-in (the voice starts `lead_in_ms` into the ad) and the presenter idles before it.

Backends: the local renderer (a drawn persona, or `PhotoAvatar` for a photo) unless
`settings.avatar_url` names a talking-head service (`RemoteAvatar`, sent the photo or the drawn
persona). When the service fails, the local renderer stands in (`avatar_fallback`, the default: the ad
still gets made, as with the LLM writer) or the job fails with the service's error.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from PIL import Image

from linkreel.avatars.performance import direction_for
from linkreel.avatars.personas import Persona, get_persona, suggest_persona
from linkreel.avatars.photo import PhotoAvatar, load_photo
from linkreel.avatars.remote import RemoteAvatar
from linkreel.avatars.sprite import Avatar, DrawnAvatar, write_sprite
from linkreel.config import Settings
from linkreel.errors import InputError, RenderError
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.scrape.fetch import IMAGE_ACCEPT, Fetcher
from linkreel.voice.speech import Speech

log = logging.getLogger("linkreel.avatars")

MAX_PHOTO_SIDE = 2048
SPRITE_SIZE = (540, 720)  # the presenter's own size; the renderer scales it into the style's slot


def choose_persona(requested: str | None, brief_text: str, seed: str) -> Persona:
    """`override_avatar` when given (an unknown id is the caller's error), else the best match for the product."""
    if requested:
        persona = get_persona(requested)
        if persona is None:
            raise InputError(f"unknown avatar {requested!r}; see /api/personas/ or `linkreel personas`")
        return persona
    return suggest_persona(brief_text, seed=seed)


def shifted(speech: Speech, lead_in_ms: int, duration_ms: int) -> Speech:
    """`speech` as heard in the ad: everything `lead_in_ms` later, lasting the whole `duration_ms`."""
    return speech.model_copy(update={
        "duration_ms": max(duration_ms, speech.duration_ms + lead_in_ms),
        "words": [w.model_copy(update={"start_ms": w.start_ms + lead_in_ms, "end_ms": w.end_ms + lead_in_ms})
                  for w in speech.words],
        "phonemes": [p.model_copy(update={"start_ms": p.start_ms + lead_in_ms}) for p in speech.phonemes],
    })


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def photo_key(source: str | None) -> object:
    """What identifies the photo in the stage cache: the URL, or a file's path, size and mtime."""
    if not source or is_url(source):
        return source
    path = Path(source)
    if not path.is_file():
        raise InputError(f"no such avatar image: {source}")
    return {"file": str(path.resolve()), "size": path.stat().st_size, "mtime": path.stat().st_mtime_ns}


def avatar_photo(source: str | None, settings: Settings) -> Image.Image | None:
    """The photo to animate: an http(s) URL through the SSRF-safe fetcher (API and CLI), or a file (CLI)."""
    if not source:
        return None
    if not is_url(source):
        photo_key(source)  # a missing file: the same message as at validation
        photo = load_photo(Path(source))
        photo.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
        return photo
    with Fetcher(settings) as fetcher:
        content = fetcher.get(source, accept=IMAGE_ACCEPT).content
    try:
        with Image.open(io.BytesIO(content)) as img:
            photo = img.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"the avatar image at {source} is not a picture linkreel can read") from exc
    photo.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))  # plenty for a 540x720 sprite; keeps the face search cheap
    return photo


def avatar_backends(settings: Settings, photo: Image.Image | None, background: bool) -> tuple[Avatar, Avatar | None]:
    """The renderer for the avatar stage and the one that stands in if it fails (None: fail the job).

    A photo is checked for exactly one, large enough face here, also when a service animates it: a bad
    photo is the user's error, told before any service is paid to find that out."""
    local: Avatar = (PhotoAvatar(photo, cutout=not background) if photo is not None
                     else DrawnAvatar(background=background))
    if not settings.avatar_url:
        return local, None
    remote = RemoteAvatar(settings.avatar_url, settings.avatar_api_key, timeout_s=settings.avatar_timeout_s,
                          ffmpeg=ffmpeg_exe(settings.ffmpeg), photo=local if isinstance(local, PhotoAvatar) else None)
    return remote, local if settings.avatar_fallback else None


def render_avatar(speech: Speech, scenes: list[tuple[str, int, int]], persona: Persona, duration_ms: int,
                  lead_in_ms: int, out: Path, ffmpeg: str, fps: int, no_emotion: bool = False,
                  background: bool = True, avatar: Avatar | None = None, fallback: Avatar | None = None) -> Path:
    """Animate and encode the presenter; `scenes` are (role, start_ms, end_ms) in speech time.
    `avatar`: the backend (default: the drawn persona); `fallback`: used when `avatar` fails."""
    in_ad = shifted(speech, lead_in_ms, duration_ms)
    roles = [(role, start + lead_in_ms, end + lead_in_ms) for role, start, end in scenes]
    direction = direction_for(roles, in_ad.duration_ms, no_emotion)
    avatar = avatar or DrawnAvatar(background=background)
    try:
        stream = avatar.animate(in_ad, persona, SPRITE_SIZE, fps, direction)
    except RenderError as exc:
        if fallback is None:
            raise
        log.warning("avatar backend failed (%s); the local renderer stands in", exc)
        stream = fallback.animate(in_ad, persona, SPRITE_SIZE, fps, direction)
    return write_sprite(stream, out, ffmpeg)
