"""The pipeline's avatar stage: the presenter for a style's avatar slot, as one alpha sprite file.

    persona = choose_persona(request_avatar, brief_text, language)
    path = render_avatar(speech, scenes, persona, duration_ms, lead_in_ms, out, ffmpeg, fps, ...)

The sprite covers the ad from 0 ms, so the speech's word and phoneme timings are moved by the
narration's lead-in (the voice starts `lead_in_ms` into the ad) and the presenter idles before it.
"""

from __future__ import annotations

from pathlib import Path

from linkreel.avatars.performance import direction_for
from linkreel.avatars.personas import Persona, get_persona, suggest_persona
from linkreel.avatars.sprite import DrawnAvatar, write_sprite
from linkreel.errors import InputError
from linkreel.voice.speech import Speech

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


def render_avatar(speech: Speech, scenes: list[tuple[str, int, int]], persona: Persona, duration_ms: int,
                  lead_in_ms: int, out: Path, ffmpeg: str, fps: int, no_emotion: bool = False,
                  background: bool = True) -> Path:
    """Draw and encode the presenter; `scenes` are (role, start_ms, end_ms) in speech time."""
    in_ad = shifted(speech, lead_in_ms, duration_ms)
    roles = [(role, start + lead_in_ms, end + lead_in_ms) for role, start, end in scenes]
    direction = direction_for(roles, in_ad.duration_ms, no_emotion)
    stream = DrawnAvatar(background=background).animate(in_ad, persona, SPRITE_SIZE, fps, direction)
    return write_sprite(stream, out, ffmpeg)
