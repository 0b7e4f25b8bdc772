"""Storyboard → Timeline: when each scene's picture shows, where cards sit, how audio mixes.

A pure function of its inputs (no I/O), so the timeline can be tested as data.
"""

from dataclasses import dataclass

from linkreel.media.plates import ink_on
from linkreel.media.templates import VisualStyle
from linkreel.media.templates.layouts import box
from linkreel.media.timeline import (
    ASPECTS,
    AudioClip,
    AvatarClip,
    CaptionTrack,
    EndCardClip,
    ImageClip,
    Motion,
    MusicClip,
    Overlay,
    Panel,
    ProgressBar,
    StickerClip,
    TextPlateClip,
    Timeline,
    TitleCard,
    VideoClip,
    VisualClip,
)
from linkreel.script.model import Scene, SceneRole, Script
from linkreel.voice.narration import Narration

LEAD_IN_MS = 300  # silence before the first word
MIN_END_CARD_MS = 2500
MAX_SHOT_MS = 4500  # longer scenes are split into two shots so the picture keeps changing
MIN_SHOT_MS = 1500  # shorter shots are merged into the one before: a flash of a photo looks like a glitch
TITLE_CARD_MAX_MS = 4000
END_CARD_MOTION = Motion(zoom_from=1.0, zoom_to=1.04)  # barely moves: its text must stay in frame
CARD_MOTION = Motion(zoom_from=1.0, zoom_to=1.07)  # motion cards carry words: a slow push keeps them in frame
LOGO_BOX = {"9x16": box(0.06, 0.072, 0.26, 0.03), "16x9": box(0.04, 0.05, 0.12, 0.05),
            "1x1": box(0.05, 0.05, 0.18, 0.05)}


@dataclass(frozen=True)
class AdFacts:
    """What the cards say, already formatted for the ad's language."""

    title: str
    price_text: str | None
    brand: str | None
    cta: str
    images: tuple[str, ...]  # local paths of usable product photos, best first
    videos: tuple[str, ...] = ()  # the page's own video clips (local files)
    scene_videos: tuple[tuple[int, str], ...] = ()  # (scene index, stock clip found for that scene)


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


def _shots(bounds: list[tuple[int, int]], script: Script, n_images: int, end_card: bool,
           n_clips: int = 0) -> list[Shot]:
    """Shots per scene; long scenes get a second shot with the next image (not one showing a picked clip:
    the clip plays through), very short ones merge."""
    shots: list[Shot] = []
    counter = 0
    chosen = [s.image if s.image is not None and s.image < n_images else None for s in script.scenes]
    for k, ((start, end), scene) in enumerate(zip(bounds, script.scenes, strict=True)):
        if end_card and scene.role == SceneRole.CTA:
            shots.append((start, end, None, k))
            continue
        first = chosen[k] if chosen[k] is not None else counter
        has_clip = scene.clip is not None and 0 <= scene.clip < n_clips
        pieces = 2 if end - start > MAX_SHOT_MS and n_images > 1 and not has_clip else 1
        step = (end - start) // pieces
        for p in range(pieces):
            idx = (first + p) % n_images if n_images else None
            if p and n_images > 2 and k + 1 < len(chosen) and idx == chosen[k + 1]:
                idx = (first + p + 1) % n_images  # not the photo the next scene opens with: two shots alike in a row
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


@dataclass(frozen=True)
class Extras:
    """Per-request switches and media beyond the product photos."""

    end_card: bool = True
    no_emotion: bool = False  # no emotive stickers, no pop animations
    avatar: str | None = None  # a video with alpha for the style's avatar slot


def _picked_clip(scene: Scene, facts: AdFacts) -> str | None:
    """The page video the scene was given (the web editor's pick), if the ad has it."""
    return facts.videos[scene.clip] if scene.clip is not None and 0 <= scene.clip < len(facts.videos) else None


def _visual(style: VisualStyle, facts: AdFacts, script: Script, shot: Shot, s: int, e: int, motion: Motion,
            index: int, has_avatar: bool, closes_scene: bool) -> VisualClip:
    """One shot laid out by the style's family: a photo plate, a b-roll clip or a motion card.
    `closes_scene`: the last shot of its scene."""
    start, end, image, k = shot
    scene = script.scenes[k]
    family = style.family
    words = scene.on_screen or facts.title
    if clip := _picked_clip(scene, facts):
        return VideoClip(src=clip, start_ms=s, end_ms=e)
    if image is None:
        # No photo: a card with this scene's own on-screen words, so cards differ scene to scene.
        subtitle = facts.price_text if scene.role in (SceneRole.INTRO, SceneRole.OFFER) else ""
        return TextPlateClip(title=words, subtitle=subtitle or "", start_ms=s, end_ms=e, motion=motion, seed=index)
    middle = scene.role not in (SceneRole.HOOK, SceneRole.INTRO, SceneRole.CTA)
    stock = dict(facts.scene_videos).get(k)
    if middle and facts.videos and index % 2 == 1:  # the page's own videos: in every other middle shot
        return VideoClip(src=facts.videos[(index // 2) % len(facts.videos)], start_ms=s, end_ms=e)
    if middle and not facts.videos and stock and closes_scene:
        # The clip found for this scene plays in it, in its last shot (after the photo when the scene has two),
        # whatever the shot's place in the ad: where shots fall moves with the voice's timing.
        return VideoClip(src=stock, start_ms=s, end_ms=e)
    if style.motion_cards and scene.role in (SceneRole.BENEFIT, SceneRole.STEP, SceneRole.PROOF) and index % 2 == 0:
        return TextPlateClip(title=words, start_ms=s, end_ms=e, motion=CARD_MOTION, seed=index,
                             src=facts.images[image])
    panel = None
    if family.panel is not None:
        panel = Panel(box=family.panel, text="" if has_avatar else words, color=style.theme.panel,
                      text_color=style.theme.panel_text)
    frame_text = {"twitter": scene.spoken, "magazine": facts.title, "polaroid": scene.on_screen}.get(
        family.frame or "", "")
    return ImageClip(src=facts.images[image], start_ms=s, end_ms=e, motion=motion,
                     product_box=family.product_box(has_avatar), fit=family.fit,  # type: ignore[arg-type]
                     backdrop=style.theme.backdrop, panel=panel, frame=family.frame, frame_text=frame_text,
                     frame_name=(facts.brand or facts.title) if family.frame else "", grade=style.theme.grade)


def _overlays(style: VisualStyle, facts: AdFacts, script: Script, bounds: list[tuple[int, int]],
              extras: Extras, content_end: int) -> list[Overlay]:
    """Title card, hook banner, price tag, stickers and logo: when and where the style puts them."""
    family = style.family
    animation = "fade" if extras.no_emotion and style.text_animation == "pop" else style.text_animation
    roles = [sc.role for sc in script.scenes]
    out: list[Overlay] = []
    intro = roles.index(SceneRole.INTRO) if SceneRole.INTRO in roles else min(1, len(bounds) - 1)
    if family.title_card and script.scenes[intro].role != SceneRole.CTA:
        start, end = bounds[intro]
        start = max(start, 600)
        end = min(end, start + TITLE_CARD_MAX_MS)
        if end - start >= 1200:
            out.append(TitleCard(title=facts.title, price_text=facts.price_text, start_ms=start, end_ms=end,
                                 box=family.title, animation=animation, color=style.theme.panel))  # type: ignore[arg-type]
    if style.hook_banner and roles[0] == SceneRole.HOOK and bounds[0][1] - bounds[0][0] >= 1200:
        hook = script.scenes[0].on_screen or script.scenes[0].spoken
        out.append(StickerClip(shape="banner", text=hook, start_ms=150, end_ms=bounds[0][1] - 100,
                               box=family.banner, color=style.accent, text_color=ink_on(style.accent),
                               animation=animation))  # type: ignore[arg-type]
    # Accents go into middle scenes, one per scene, after the title card's scene.
    slots = [i for i, r in enumerate(roles) if i > intro and r != SceneRole.CTA and bounds[i][0] < content_end]
    if style.price_tag and facts.price_text and slots:
        k = roles.index(SceneRole.OFFER) if SceneRole.OFFER in roles[:len(bounds)] else slots[0]
        if k in slots:
            slots.remove(k)
        start, end = bounds[k][0] + 300, min(bounds[k][1], content_end) - 100
        if end - start >= 800:
            out.append(StickerClip(shape="price_tag", text=facts.price_text, start_ms=start, end_ms=end,
                                   box=family.sticker, color=style.accent, text_color=ink_on(style.accent),
                                   animation=animation))  # type: ignore[arg-type]
    if not extras.no_emotion:
        for (shape, text), k in zip(style.stickers, slots, strict=False):
            start, end = bounds[k][0] + 250, min(bounds[k][1], content_end) - 100
            if end - start >= 800:
                out.append(StickerClip(shape=shape, text=text, start_ms=start, end_ms=end, box=family.sticker,
                                       color=style.accent, text_color=ink_on(style.accent), animation="pop",
                                       emotive=True))
    if style.logo and facts.brand:
        out.append(StickerClip(shape="logo", text=facts.brand, start_ms=0, end_ms=content_end, box=LOGO_BOX,
                               animation="fade", fade_ms=300))
    return out


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
    extras: Extras | None = None,
) -> Timeline:
    extras = extras or Extras(end_card=end_card)
    end_card = extras.end_card
    bounds = _scene_bounds(script, narration, duration_ms, end_card)
    half = style.transition_ms // 2
    has_avatar = extras.avatar is not None and style.family.avatar is not None
    visuals: list[VisualClip] = []
    shots = _shots(bounds, script, len(facts.images), end_card, len(facts.videos))
    for i, shot in enumerate(shots):
        start, end, image, k = shot
        # Consecutive clips overlap by the transition: the cut point is the middle of the transition.
        s = 0 if i == 0 else start - half
        e = duration_ms if i == len(shots) - 1 else end + half
        motion = style.motions[i % len(style.motions)]
        if end_card and image is None and i == len(shots) - 1 and script.scenes[-1].role == SceneRole.CTA:
            visuals.append(EndCardClip(src=facts.images[0] if facts.images else None, cta=facts.cta,
                                       title=facts.title, price_text=facts.price_text, brand=facts.brand,
                                       start_ms=s, end_ms=e, motion=END_CARD_MOTION))
        else:
            closes = i + 1 == len(shots) or shots[i + 1][3] != shot[3]
            visuals.append(_visual(style, facts, script, shot, s, e, motion, i, has_avatar, closes))
    content_end = visuals[-1].start_ms if isinstance(visuals[-1], EndCardClip) else duration_ms

    avatars = []
    if has_avatar and style.family.avatar is not None and extras.avatar is not None:
        avatars.append(AvatarClip(src=extras.avatar, start_ms=0, end_ms=content_end, box=style.family.avatar,
                                  circle=style.family.avatar_circle))  # type: ignore[arg-type]
    progress = ProgressBar(color=style.accent, y={a: 0.0 for a in ASPECTS}) if style.progress_bar else None

    return Timeline(
        duration_ms=duration_ms,
        fps=fps,
        language=script.language,
        transition_ms=style.transition_ms,
        transition="fade" if style.transition == "cut" else style.transition,
        visuals=visuals,
        overlays=_overlays(style, facts, script, bounds, extras, content_end),
        avatars=avatars,
        progress=progress,
        captions=captions,
        voice=AudioClip(src=narration.speech.audio_path, start_ms=LEAD_IN_MS,
                        volume=1.0 if voice_volume is None else voice_volume),
        music=MusicClip(src=music_path, volume=style.music_volume if music_volume is None else music_volume)
        if music_path else None,
        accent=style.accent,
    )
