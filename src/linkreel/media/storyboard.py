"""Storyboard → Timeline: when each scene's picture shows, where cards sit, how audio mixes.

A pure function of its inputs (no I/O), so the timeline can be tested as data.
"""

from dataclasses import dataclass

from linkreel.media.styles import VisualStyle
from linkreel.media.timeline import (
    AudioClip,
    CaptionTrack,
    EndCardClip,
    ImageClip,
    Motion,
    MusicClip,
    TextPlateClip,
    Timeline,
    TitleCard,
    VisualClip,
)
from linkreel.script.model import SceneRole, Script
from linkreel.voice.narration import Narration

LEAD_IN_MS = 300  # silence before the first word
MIN_END_CARD_MS = 2500
MAX_SHOT_MS = 4500  # longer scenes are split into two shots so the picture keeps changing
MIN_SHOT_MS = 1500  # shorter shots are merged into the one before: a flash of a photo looks like a glitch
TITLE_CARD_MAX_MS = 4000
END_CARD_MOTION = Motion(zoom_from=1.0, zoom_to=1.04)  # barely moves: its text must stay in frame


@dataclass(frozen=True)
class AdFacts:
    """What the cards say, already formatted for the ad's language."""

    title: str
    price_text: str | None
    brand: str | None
    cta: str
    images: tuple[str, ...]  # local paths of usable product photos, best first


def _scene_bounds(script: Script, narration: Narration, duration_ms: int,
                  end_card: bool) -> list[tuple[int, int]]:
    """Visible [start, end) of each scene: from just before its first word to the next scene."""
    starts = [0] + [LEAD_IN_MS + max(0, s.start_ms - 120) for s in narration.scenes[1:]]
    ends = starts[1:] + [duration_ms]
    # The end card needs room; the CTA scene starts no later than MIN_END_CARD_MS before the end.
    if end_card and script.scenes[-1].role == SceneRole.CTA and len(starts) > 1:
        starts[-1] = min(starts[-1], duration_ms - MIN_END_CARD_MS)
        ends[-2] = starts[-1]
    return list(zip(starts, ends, strict=True))


Shot = tuple[int, int, int | None, int]  # start, end, image index (None: no photo), scene index


def _shots(bounds: list[tuple[int, int]], script: Script, n_images: int, end_card: bool) -> list[Shot]:
    """Shots per scene; long scenes get a second shot with the next image, very short ones merge."""
    shots: list[Shot] = []
    counter = 0
    for k, ((start, end), scene) in enumerate(zip(bounds, script.scenes, strict=True)):
        if end_card and scene.role == SceneRole.CTA:
            shots.append((start, end, None, k))
            continue
        first = scene.image if scene.image is not None and scene.image < n_images else counter
        pieces = 2 if end - start > MAX_SHOT_MS and n_images > 1 else 1
        step = (end - start) // pieces
        for p in range(pieces):
            idx = (first + p) % n_images if n_images else None
            shots.append((start + p * step, end if p == pieces - 1 else start + (p + 1) * step, idx, k))
        counter = (first + pieces) % max(1, n_images)
    merged: list[Shot] = []
    for shot in shots:
        is_end_card = end_card and script.scenes[shot[3]].role == SceneRole.CTA
        if merged and shot[1] - shot[0] < MIN_SHOT_MS and not is_end_card:
            merged[-1] = (merged[-1][0], shot[1], merged[-1][2], merged[-1][3])
        else:
            merged.append(shot)
    return merged


def build_timeline(
    script: Script,
    narration: Narration,
    facts: AdFacts,
    style: VisualStyle,
    duration_ms: int,
    music_path: str | None,
    music_volume: float | None = None,
    captions: CaptionTrack | None = None,
    fps: int = 30,
    voice_volume: float | None = None,
    end_card: bool = True,
) -> Timeline:
    bounds = _scene_bounds(script, narration, duration_ms, end_card)
    half = style.transition_ms // 2
    visuals: list[VisualClip] = []
    shots = _shots(bounds, script, len(facts.images), end_card)
    for i, (start, end, image, k) in enumerate(shots):
        # Consecutive clips overlap by the transition: the cut point is the middle of the crossfade.
        s = 0 if i == 0 else start - half
        e = duration_ms if i == len(shots) - 1 else end + half
        motion = style.motions[i % len(style.motions)]
        if end_card and image is None and i == len(shots) - 1 and script.scenes[-1].role == SceneRole.CTA:
            visuals.append(EndCardClip(src=facts.images[0] if facts.images else None, cta=facts.cta,
                                       title=facts.title, price_text=facts.price_text, brand=facts.brand,
                                       start_ms=s, end_ms=e, motion=END_CARD_MOTION))
        elif image is None:
            # No photo: a card with this scene's own on-screen words, so cards differ scene to scene.
            scene = script.scenes[k]
            title = scene.on_screen or facts.title
            subtitle = facts.price_text if scene.role in (SceneRole.INTRO, SceneRole.OFFER) else ""
            visuals.append(TextPlateClip(title=title, subtitle=subtitle or "", start_ms=s, end_ms=e,
                                         motion=motion, seed=i))
        else:
            visuals.append(ImageClip(src=facts.images[image], start_ms=s, end_ms=e, motion=motion,
                                     product_box=style.product_box, fit=style.fit))  # type: ignore[arg-type]

    overlays = []
    roles = [sc.role for sc in script.scenes]
    intro = roles.index(SceneRole.INTRO) if SceneRole.INTRO in roles else min(1, len(bounds) - 1)
    if script.scenes[intro].role != SceneRole.CTA:
        start, end = bounds[intro]
        start = max(start, 600)
        end = min(end, start + TITLE_CARD_MAX_MS)
        if end - start >= 1200:
            overlays.append(TitleCard(title=facts.title, price_text=facts.price_text, start_ms=start,
                                      end_ms=end, box=style.title_box))  # type: ignore[arg-type]

    return Timeline(
        duration_ms=duration_ms,
        fps=fps,
        language=script.language,
        transition_ms=style.transition_ms,
        visuals=visuals,
        overlays=overlays,
        captions=captions,
        voice=AudioClip(src=narration.speech.audio_path, start_ms=LEAD_IN_MS,
                        volume=1.0 if voice_volume is None else voice_volume),
        music=MusicClip(src=music_path, volume=style.music_volume if music_volume is None else music_volume)
        if music_path else None,
        accent=style.accent,
    )
