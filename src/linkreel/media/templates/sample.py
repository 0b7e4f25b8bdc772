"""A fixed storyboard (script, evenly timed words, a presenter sprite) for contact sheets and tests.

Every style is drawn from the same storyboard, so what differs between two stills is the style.
"""

from pathlib import Path

from PIL import Image, ImageDraw

from linkreel.media import ffmpeg
from linkreel.media.storyboard import AdFacts
from linkreel.script.model import Scene, SceneRole, Script
from linkreel.voice.narration import Narration, split_scenes
from linkreel.voice.speech import Speech, WordTiming

LINES: tuple[tuple[SceneRole, str, str], ...] = (
    (SceneRole.HOOK, "Stop scrolling: your bottle is letting you down.", "Your bottle is letting you down"),
    (SceneRole.INTRO, "Meet the AeroBottle Pro.", "AeroBottle Pro"),
    (SceneRole.BENEFIT, "Ice cold for twenty four hours and hot for twelve.", "Cold 24 h, hot 12 h"),
    (SceneRole.PROOF, "Over a thousand five star reviews.", "1,000+ five-star reviews"),
    (SceneRole.CTA, "Tap the link and grab yours today.", "Shop now"),
)
WORD_MS = 330
SENTENCE_GAP_MS = 380


def sample_narration(audio_path: str) -> tuple[Script, Narration]:
    """The script and a narration whose words are evenly spaced (no TTS needed)."""
    script = Script(language="en", style="DiscoveryWriter", length_s=15,
                    scenes=[Scene(role=r, spoken=t, on_screen=o, image=None) for r, t, o in LINES])
    texts = [t for _, t, _ in LINES]
    text = " ".join(texts)
    words, t, pos = [], 0, 0
    for sentence in texts:
        for w in sentence.split():
            start = text.index(w, pos)
            core = w.strip(".:,")
            words.append(WordTiming(text=core, start_ms=t, end_ms=t + WORD_MS, char_start=start,
                                    char_end=start + len(core)))
            pos, t = start + len(w), t + WORD_MS
        t += SENTENCE_GAP_MS
    for a, b in zip(words, words[1:], strict=False):
        a.end_ms = b.start_ms
    speech = Speech(audio_path=audio_path, sample_rate=22050, duration_ms=t, text=text, words=words)
    return script, Narration(speech=speech, scenes=split_scenes(speech, texts, " "), rate=1.0)


def sample_facts(images: tuple[str, ...], videos: tuple[str, ...] = (),
                 scene_videos: tuple[tuple[int, str], ...] = ()) -> AdFacts:
    return AdFacts(title="AeroBottle Pro", price_text="$34.95", brand="Aero", cta="Shop now", images=images,
                   videos=videos, scene_videos=scene_videos)


def silent_voice(exe: str, path: Path, seconds: float) -> Path:
    """A silent track standing in for the voice (sheets and tests look at pictures)."""
    ffmpeg.run(exe, ["-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono", "-t", f"{seconds:.2f}", str(path)])
    return path


def presenter_sprite(exe: str, path: Path, size: tuple[int, int] = (240, 320), seconds: float = 2.0) -> Path:
    """A stand-in presenter: a drawn figure on a transparent background, as a qtrle .mov with alpha."""
    w, h = size
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((w * 0.05, h * 0.55, w * 0.95, h * 1.35), fill=(40, 90, 200, 255))  # shoulders
    draw.ellipse((w * 0.28, h * 0.12, w * 0.72, h * 0.58), fill=(236, 188, 150, 255))  # face
    draw.chord((w * 0.26, h * 0.06, w * 0.74, h * 0.42), 180, 360, fill=(60, 40, 30, 255))  # hair
    png = path.with_suffix(".png")
    img.save(png)
    ffmpeg.run(exe, ["-loop", "1", "-framerate", "30", "-i", str(png), "-t", f"{seconds:.2f}", "-c:v", "qtrle",
                     "-pix_fmt", "argb", str(path)])
    return path
