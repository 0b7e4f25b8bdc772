"""Visual styles as templates: the 54 of the contract, their ratios and layouts, and real renders of each."""

from pathlib import Path

import numpy as np
import pytest

from linkreel.config import Settings
from linkreel.errors import InputError
from linkreel.media.captions import caption_track
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.ffmpeg import run as run_ffmpeg
from linkreel.media.probe import probe
from linkreel.media.render import RenderOptions, render
from linkreel.media.storyboard import LEAD_IN_MS, Extras, build_timeline
from linkreel.media.templates import FAMILIES, SAFE_AREAS, STYLES, get_style
from linkreel.media.templates.sample import sample_facts, sample_narration, silent_voice
from linkreel.media.timeline import ASPECTS, AvatarClip, Box, StickerClip, Timeline
from linkreel.script.styles import HOOK_STYLES
from tests.helpers import EXAMPLES, frame_at

PHOTOS = tuple(str(EXAMPLES / "aerobottle" / "img" / f"aero-{n}.jpg") for n in ("coral", "desk", "trio", "teal"))
LENGTH_MS = 15000
SMALL = {"9x16": (108, 192), "16x9": (192, 108), "1x1": (144, 144)}

# Contract §4.1.
NAMED = (
    "AvatarBubbleTemplate", "DramaticTemplate", "DynamicGreenScreenEffect", "DynamicProductTemplate",
    "DynamicResponseBubbleTemplate", "EnhancedVanillaTemplate", "FeatureHighlightTemplate", "FullScreenTemplate",
    "FullScreenV2Template", "GreenScreenEffectTemplate", "LegoTemplate", "MotionCardsTemplate", "OverCardsTemplate",
    "QuickTransitionTemplate", "ScribbleTemplate", "SideBySideTemplate", "SimpleAvatarOverlayTemplate",
    "TopBottomTemplate", "TwitterFrameTemplate", "VanillaTemplate", "VlogTemplate", "LegoVisualEmotional",
    "LegoVisualCutePets", "LegoVisualAvatarFocusIntro", "LegoScriptResponseBubbleTextOverlay",
)  # fmt: skip
RESTRICTED = {"DramaticTemplate": {"9x16"}, "DynamicResponseBubbleTemplate": {"9x16"}, "VlogTemplate": {"9x16"},
              "FeatureHighlightTemplate": {"9x16", "1x1"}, "TopBottomTemplate": {"9x16", "1x1"},
              "LegoScriptResponseBubbleTextOverlay": {"9x16", "1x1"}}


def test_the_54_styles_and_their_ratios() -> None:
    expected = set(NAMED) | {f"LegoScript{h}" for h in HOOK_STYLES}
    assert len(expected) == 54 and set(STYLES) == expected
    for name, style in STYLES.items():
        assert set(style.ratios) == RESTRICTED.get(name, set(ASPECTS)), name
        assert style.label


def test_a_style_outside_its_ratios_is_an_input_error() -> None:
    with pytest.raises(InputError, match="VlogTemplate is not available for aspect ratio 16x9"):
        get_style("VlogTemplate", "16x9")
    with pytest.raises(InputError, match="unknown visual style"):
        get_style("NoSuchTemplate")


def _inside(inner: Box, outer: Box) -> bool:
    eps = 1e-9
    return (inner.x >= outer.x - eps and inner.y >= outer.y - eps and inner.x + inner.w <= outer.x + outer.w + eps
            and inner.y + inner.h <= outer.y + outer.h + eps)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_layout_boxes_in_frame_and_text_in_the_safe_area(family: str) -> None:
    f = FAMILIES[family]
    frame = Box(x=0, y=0, w=1, h=1)
    aspects = [a for a in ASPECTS if a in f.title]
    for aspect in aspects:
        pictures = [f.product[aspect]] + [b[aspect] for b in (f.panel, f.avatar, f.product_solo) if b]
        assert all(_inside(b, frame) for b in pictures), (family, aspect)
        for name, boxes in (("title", f.title), ("caption", f.caption), ("sticker", f.sticker), ("banner", f.banner)):
            assert _inside(boxes[aspect], SAFE_AREAS[aspect]), (family, aspect, name)


def test_split_reflows_per_aspect_instead_of_cropping() -> None:
    split = get_style("SideBySideTemplate").family
    assert split.product["9x16"].w == 1.0 and split.product["9x16"].h == 0.5  # top / bottom
    assert split.product["16x9"].w == 0.5 and split.product["16x9"].h == 1.0  # left / right
    assert split.panel is not None and split.panel["9x16"].y == 0.5 and split.panel["16x9"].x == 0.5


def _timeline(name: str, voice: str, avatar: str | None = None, no_emotion: bool = False) -> Timeline:
    script, narration = sample_narration(voice)
    style = get_style(name)
    captions = caption_track(narration.speech, "en", LEAD_IN_MS, style.caption_box)
    return build_timeline(script, narration, sample_facts(PHOTOS), style, LENGTH_MS, None, captions=captions,
                          extras=Extras(avatar=avatar, no_emotion=no_emotion))


def test_no_emotion_drops_emotive_stickers_and_pops() -> None:
    styled = [n for n, s in STYLES.items() if s.stickers]
    assert len(styled) >= 10
    for name in styled:
        with_emotion = _timeline(name, "v.wav")
        calm = _timeline(name, "v.wav", no_emotion=True)
        assert any(isinstance(o, StickerClip) and o.emotive for o in with_emotion.overlays), name
        assert not any(isinstance(o, StickerClip) and o.emotive for o in calm.overlays), name
        assert all(o.animation != "pop" for o in calm.overlays), name


def test_hook_styles_open_on_a_banner_and_avatar_slots_fill_only_where_styles_have_one() -> None:
    for name, style in STYLES.items():
        tl = _timeline(name, "v.wav", avatar="presenter.mov")
        banners = [o for o in tl.overlays if isinstance(o, StickerClip) and o.shape == "banner"]
        if name.startswith("LegoScript"):
            assert banners and banners[0].text == "Your bottle is letting you down" and banners[0].start_ms < 500
        assert bool(tl.avatars) == style.has_avatar_slot, name
        if tl.avatars:
            assert tl.avatars[0].circle == style.family.avatar_circle
    for name in ("AvatarBubbleTemplate", "SideBySideTemplate", "SimpleAvatarOverlayTemplate",
                 "GreenScreenEffectTemplate", "VlogTemplate"):
        assert STYLES[name].has_avatar_slot, name


def _small_render(tl: Timeline, aspect: str, work: Path, name: str) -> Path:
    opts = RenderOptions(ffmpeg=ffmpeg_exe(), fonts_cache=Settings().cache_path, preset="ultrafast")
    return render(tl, aspect, work / f"{name}-{aspect}.mp4", work / name, opts, size=SMALL[aspect]).output


@pytest.mark.parametrize("aspect", ASPECTS)
def test_every_style_renders_in_every_allowed_aspect_and_looks_different(aspect: str, tmp_path: Path) -> None:
    voice = str(silent_voice(ffmpeg_exe(), tmp_path / "voice.wav", 12))
    width, height = SMALL[aspect]
    middles: dict[str, np.ndarray] = {}
    for name, style in STYLES.items():
        if aspect not in style.ratios:
            continue
        out = _small_render(_timeline(name, voice), aspect, tmp_path, name)
        info = probe(out)
        assert (info.width, info.height, info.video_codec, info.audio_codec) == (width, height, "h264", "aac"), name
        assert info.fps == 30 and abs(info.duration_s - LENGTH_MS / 1000) < 0.1, name
        middles[name] = frame_at(out, LENGTH_MS / 2000, width=width).astype(np.int16)
    names = list(middles)
    assert len(names) == sum(aspect in s.ratios for s in STYLES.values())
    alike = [f"{a} ~ {b} ({diff:.2f})" for i, a in enumerate(names) for b in names[i + 1:]
             if (diff := float(np.abs(middles[a] - middles[b]).mean())) <= 2.0]
    assert not alike, f"styles that look the same in {aspect} (mean level difference): {alike}"


def _alpha_clip(path: Path, size: tuple[int, int], left_transparent: bool) -> Path:
    """A red sprite with alpha from lavfi; with `left_transparent` its left half is see-through."""
    w, h = size
    alpha = "if(lt(X,W/2),0,255)" if left_transparent else "255"
    run_ffmpeg(ffmpeg_exe(), ["-f", "lavfi", "-i", f"color=c=red:s={w}x{h}:d=15:r=30",
                              "-vf", f"format=rgba,geq=r='255':g='0':b='0':a='{alpha}'",
                              "-c:v", "qtrle", "-pix_fmt", "argb", str(path)])
    return path


def _red(frame: np.ndarray) -> np.ndarray:
    return (frame[..., 0] > 190) & (frame[..., 1] < 70) & (frame[..., 2] < 70)


def test_avatar_sprite_is_overlaid_with_its_alpha(tmp_path: Path) -> None:
    voice = str(silent_voice(ffmpeg_exe(), tmp_path / "voice.wav", 12))
    sprite = _alpha_clip(tmp_path / "sprite.mov", (80, 120), left_transparent=True)
    tl = _timeline("GreenScreenEffectTemplate", voice, avatar=str(sprite))
    av = tl.avatars[0]
    assert isinstance(av, AvatarClip) and not av.circle
    size = (216, 384)
    opts = RenderOptions(ffmpeg=ffmpeg_exe(), fonts_cache=Settings().cache_path, preset="ultrafast")
    out = render(tl, "9x16", tmp_path / "ad.mp4", tmp_path / "w", opts, size=size).output
    frame = frame_at(out, 6.0, width=size[0])
    bx, by, bw, bh = av.box["9x16"].pixels(*size)
    # The sprite (2:3) stands on the bottom of its box, centred: its right half red, its left half not.
    sh = bh
    sw = round(sh * 80 / 120)
    x0 = bx + (bw - sw) // 2
    right = _red(frame[by + 4:by + sh - 4, x0 + sw // 2 + 3:x0 + sw - 3])
    left = _red(frame[by + 4:by + sh - 4, x0 + 3:x0 + sw // 2 - 3])
    assert right.mean() > 0.9, right.mean()
    assert left.mean() < 0.05, left.mean()
    # Nothing red outside the sprite.
    outside = _red(frame).sum() - _red(frame[by:by + sh, x0:x0 + sw]).sum()
    assert outside < 20


def test_bubble_avatar_is_round(tmp_path: Path) -> None:
    voice = str(silent_voice(ffmpeg_exe(), tmp_path / "voice.wav", 12))
    sprite = _alpha_clip(tmp_path / "sprite.mov", (120, 160), left_transparent=False)
    tl = _timeline("AvatarBubbleTemplate", voice, avatar=str(sprite))
    av = tl.avatars[0]
    assert av.circle
    size = (216, 384)
    opts = RenderOptions(ffmpeg=ffmpeg_exe(), fonts_cache=Settings().cache_path, preset="ultrafast")
    out = render(tl, "9x16", tmp_path / "ad.mp4", tmp_path / "w", opts, size=size).output
    frame = frame_at(out, 2.0, width=size[0])
    bx, by, bw, _ = av.box["9x16"].pixels(*size)
    window = _red(frame[by:by + bw, bx:bx + bw])
    ys, xs = np.nonzero(window)
    assert len(ys) > 0.4 * bw * bw
    span = (xs.max() - xs.min() + 1) * (ys.max() - ys.min() + 1)
    assert 0.70 < len(ys) / span < 0.85  # a disc fills π/4 of its bounding square; a square would fill 1
    corner = window[: bw // 8, : bw // 8]
    assert not corner.any()


def test_jobs_keep_the_requested_style_and_pass_the_flags() -> None:
    from linkreel.jobs.runner import ad_request

    req = ad_request({"video_length": 15, "no_emotion": True, "no_stock_broll": True}, "ScribbleTemplate", "1x1")
    assert req.visual_style == "ScribbleTemplate"  # drawn as itself, not mapped to a neighbour
    assert req.no_emotion and not req.stock_broll
    plain = ad_request({"video_length": 15}, "LegoScriptBestDealEverHook", "16x9")
    assert plain.visual_style == "LegoScriptBestDealEverHook" and not plain.no_emotion and plain.stock_broll


def test_cli_lists_styles_as_json() -> None:
    import json

    from typer.testing import CliRunner

    from linkreel.cli import app

    result = CliRunner().invoke(app, ["styles", "--json"])
    assert result.exit_code == 0, result.output
    listing = json.loads(result.output)
    visual = {v["name"]: v for v in listing["visual"]}
    assert len(visual) == 54 and visual["VlogTemplate"]["aspects"] == ["9x16"]
    assert visual["SideBySideTemplate"]["label"] == "Side by Side" and visual["SideBySideTemplate"]["layout"] == "split"
    assert len(listing["caption"]) == 18 and len(listing["script"]) == 49
