"""The timeline as data: built from a fixed storyboard, compared with a golden JSON file."""

import json
import os
from pathlib import Path

import pytest

from linkreel.media.captions import caption_track
from linkreel.media.storyboard import LEAD_IN_MS, MIN_END_CARD_MS, AdFacts, build_timeline
from linkreel.media.styles import get_style
from linkreel.media.timeline import EndCardClip, ImageClip, Timeline
from linkreel.script.model import Scene, SceneRole, Script
from linkreel.voice.narration import split_scenes
from linkreel.voice.speech import Speech, WordTiming

GOLDEN = Path(__file__).parent / "golden" / "timeline_basic.json"

LINES = [
    (SceneRole.HOOK, "Stop scrolling: your bottle is letting you down."),
    (SceneRole.INTRO, "Meet the AeroBottle Pro."),
    (SceneRole.BENEFIT, "Ice cold for twenty four hours and hot for twelve, with a lid that never leaks in your bag."),
    (SceneRole.PROOF, "Over a thousand five star reviews."),
    (SceneRole.CTA, "Tap the link and grab yours today."),
]


def fixed_speech() -> tuple[Script, Speech, list[str]]:
    """A script and speech with evenly spaced words (350 ms each, 400 ms between sentences)."""
    script = Script(language="en", style="DiscoveryWriter", length_s=15,
                    scenes=[Scene(role=r, spoken=t, on_screen="", image=None) for r, t in LINES])
    texts = [t for _, t in LINES]
    text = " ".join(texts)
    words, t, pos = [], 0, 0
    for sentence in texts:
        for w in sentence.split():
            start = text.index(w, pos)
            words.append(WordTiming(text=w.strip(".:,"), start_ms=t, end_ms=t + 350, char_start=start,
                                    char_end=start + len(w.strip(".:,"))))
            pos, t = start + len(w), t + 350
        t += 400
    for a, b in zip(words, words[1:], strict=False):
        a.end_ms = b.start_ms
    speech = Speech(audio_path="voice.wav", sample_rate=22050, duration_ms=t, text=text, words=words)
    return script, speech, texts


def build() -> Timeline:
    from linkreel.voice.narration import Narration

    script, speech, texts = fixed_speech()
    narration = Narration(speech=speech, scenes=split_scenes(speech, texts, " "), rate=1.0)
    style = get_style("DynamicProductTemplate")
    facts = AdFacts(title="AeroBottle Pro", price_text="$34.95", brand="Aero", cta="Shop now",
                    images=("img/a.jpg", "img/b.jpg", "img/c.jpg"))
    captions = caption_track(speech, "en", LEAD_IN_MS, style.caption_box)
    return build_timeline(script, narration, facts, style, 15000, "music.wav", captions=captions)


def test_timeline_matches_golden() -> None:
    got = json.loads(build().model_dump_json())
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1) + "\n")
    assert got == json.loads(GOLDEN.read_text())


def test_timeline_invariants() -> None:
    tl = build()
    visuals = tl.visuals
    assert visuals[0].start_ms == 0 and visuals[-1].end_ms == tl.duration_ms
    for a, b in zip(visuals, visuals[1:], strict=False):
        assert a.end_ms - b.start_ms == tl.transition_ms  # every cut is a crossfade of the same length
    assert isinstance(visuals[-1], EndCardClip)
    assert tl.duration_ms - visuals[-1].start_ms >= MIN_END_CARD_MS - tl.transition_ms
    images = [v.src for v in visuals if isinstance(v, ImageClip)]
    assert len(set(images)) == 3  # all product photos are used
    assert all(a != b for a, b in zip(images, images[1:], strict=False))  # no photo twice in a row
    assert tl.overlays and tl.overlays[0].price_text == "$34.95"
    assert tl.captions is not None
    words = [w for line in tl.captions.lines for w in line.words]
    assert len(words) == sum(len(t.split()) for _, t in LINES)
    assert words[0].start_ms == LEAD_IN_MS


@pytest.mark.parametrize("aspect", ["9x16", "16x9", "1x1"])
def test_layout_boxes_inside_frame(aspect: str) -> None:
    tl = build()
    boxes = [tl.captions.box[aspect]] + [o.box[aspect] for o in tl.overlays]  # type: ignore[union-attr]
    boxes += [v.product_box[aspect] for v in tl.visuals if isinstance(v, ImageClip)]
    for b in boxes:
        assert b.x >= 0 and b.y >= 0 and b.x + b.w <= 1 and b.y + b.h <= 1


def test_no_photos_gives_distinct_product_cards() -> None:
    from linkreel.media.timeline import TextPlateClip
    from linkreel.voice.narration import Narration

    script, speech, texts = fixed_speech()
    scenes = [s.model_copy(update={"on_screen": f"card {i}"}) for i, s in enumerate(script.scenes)]
    script = script.model_copy(update={"scenes": scenes})
    narration = Narration(speech=speech, scenes=split_scenes(speech, texts, " "), rate=1.0)
    facts = AdFacts(title="AeroBottle Pro", price_text="$34.95", brand=None, cta="Shop now", images=())
    tl = build_timeline(script, narration, facts, get_style("DynamicProductTemplate"), 15000, None)
    plates = [v for v in tl.visuals if isinstance(v, TextPlateClip)]
    assert plates and len({p.title for p in plates}) == len(plates)
    assert isinstance(tl.visuals[-1], EndCardClip) and tl.visuals[-1].src is None
    assert tl.music is None


def test_no_cta_drops_the_end_card_and_voice_volume_is_applied() -> None:
    from linkreel.voice.narration import Narration

    script, speech, texts = fixed_speech()
    narration = Narration(speech=speech, scenes=split_scenes(speech, texts, " "), rate=1.0)
    facts = AdFacts(title="AeroBottle Pro", price_text="$34.95", brand=None, cta="Shop now",
                    images=("img/a.jpg", "img/b.jpg"))
    tl = build_timeline(script, narration, facts, get_style("DynamicProductTemplate"), 15000, None,
                        voice_volume=0.6, end_card=False)
    assert not any(isinstance(v, EndCardClip) for v in tl.visuals)
    assert tl.visuals[-1].end_ms == 15000 and isinstance(tl.visuals[-1], ImageClip)
    assert tl.voice is not None and tl.voice.volume == 0.6


def _with_style(name: str, videos: tuple[str, ...] = ()) -> Timeline:
    from linkreel.voice.narration import Narration

    script, speech, texts = fixed_speech()
    narration = Narration(speech=speech, scenes=split_scenes(speech, texts, " "), rate=1.0)
    facts = AdFacts(title="AeroBottle Pro", price_text="$34.95", brand="Aero", cta="Shop now",
                    images=("img/a.jpg", "img/b.jpg", "img/c.jpg"), videos=videos)
    return build_timeline(script, narration, facts, get_style(name), 15000, None)


def test_cut_styles_do_not_overlap_and_others_use_their_transition() -> None:
    cut = _with_style("QuickTransitionTemplate")
    assert cut.transition_ms == 0
    assert all(a.end_ms == b.start_ms for a, b in zip(cut.visuals, cut.visuals[1:], strict=False))
    slide = _with_style("SideBySideTemplate")
    assert slide.transition == "slideleft" and slide.transition_ms > 0


def test_broll_goes_into_middle_scenes_only() -> None:
    from linkreel.media.timeline import VideoClip

    tl = _with_style("FullScreenTemplate", videos=("page.mp4",))
    clips = [v for v in tl.visuals if isinstance(v, VideoClip)]
    assert clips and all(c.src == "page.mp4" for c in clips)
    assert not isinstance(tl.visuals[0], VideoClip)  # the hook shows the product
    assert isinstance(tl.visuals[-1], EndCardClip)
    assert not any(isinstance(v, VideoClip) for v in _with_style("FullScreenTemplate").visuals)


def test_layouts_per_style_reach_the_clips() -> None:
    split = _with_style("SideBySideTemplate")
    photos = [v for v in split.visuals if isinstance(v, ImageClip)]
    assert photos and all(p.panel is not None and p.panel.box["16x9"].x == 0.5 for p in photos)
    tweet = _with_style("TwitterFrameTemplate")
    assert all(p.frame == "twitter" and p.frame_text for p in tweet.visuals if isinstance(p, ImageClip))
    assert not any(o.kind == "title_card" for o in tweet.overlays)  # the post carries the name itself
