"""`linkreel make` with several aspects and with the mix volumes, and `linkreel musics`: real renders, measured."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from linkreel.media import music
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.probe import integrated_loudness, probe
from linkreel.media.storyboard import LEAD_IN_MS
from linkreel.voice.catalog import all_voices
from linkreel.voice.narration import Narration
from tests.api_support import PUBLIC_URL, Api
from tests.helpers import EXAMPLES
from tests.test_cli import assert_one_line_error

pytest_plugins = ["tests.api_support"]  # fixtures: api

LINKREEL = str(Path(sys.executable).with_name("linkreel"))
PAGE = str(EXAMPLES / "aerobottle" / "index.html")  # a saved page with its photos beside it: no server needed
SR = 48000
# espeak, pinned: cheap, and the same voice in every run whatever the default English voice becomes.
VOICE = next(v.id for v in all_voices() if v.language == "en" and v.engine == "espeak")
SIZES = {"9x16": (1080, 1920), "16x9": (1920, 1080), "1x1": (1080, 1080)}


def linkreel(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LINKREEL_DATA_DIR": str(data), "LINKREEL_PUBLIC_URL": PUBLIC_URL,
           "LINKREEL_X264_PRESET": "ultrafast"}  # the picture's quality is not what these tests look at
    env.pop("LINKREEL_DEBUG", None)
    return subprocess.run([LINKREEL, *args], capture_output=True, text=True, env=env, timeout=900)


@dataclass
class Made:
    results: list[dict]
    stderr: str
    work: Path
    data: Path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    """One make, three aspects, 15 s; the volume tests reuse its work dir (same script and voice)."""
    root = tmp_path_factory.mktemp("aspects")
    proc = linkreel("make", PAGE, "-o", str(root / "ad.mp4"), "--length", "15", "--aspect", "9x16", "--aspect",
                    "16x9", "--aspect", "1x1", "--voice", VOICE, "--workdir", str(root / "work"), "--json",
                    data=root / "data")
    assert proc.returncode == 0, proc.stderr
    return Made(json.loads(proc.stdout), proc.stderr, root / "work", root / "data")


def audio_md5(path: Path) -> str:
    """md5 of the decoded audio samples (not of the container, whose video differs)."""
    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a", "-f", "md5", "-"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip()


def pcm(path: Path) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a", "-ac", "1", "-ar", str(SR),
                          "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32).astype(float)


def level_db(x: np.ndarray, spans: list[tuple[int, int]]) -> float:
    """RMS level (dBFS) of the samples inside `spans` (milliseconds)."""
    parts = np.concatenate([x[a * SR // 1000:b * SR // 1000] for a, b in spans])
    return float(20 * np.log10(np.sqrt(np.mean(parts ** 2)) + 1e-12))


def word_spans(work: Path) -> list[tuple[int, int]]:
    """Where the voice speaks in the video (its words, shifted by the lead-in)."""
    [voice] = work.glob("voice-*/result.json")  # one voice track behind every render in this work dir
    narration = Narration.model_validate_json(voice.read_text("utf-8"))
    return [(w.start_ms + LEAD_IN_MS, w.end_ms + LEAD_IN_MS) for w in narration.speech.words]


def music_only_spans(words: list[tuple[int, int]], duration_ms: int) -> list[tuple[int, int]]:
    """Before the first word, and after the last one once the ducking has let go (release 350 ms)."""
    return [(20, words[0][0] - 50), (words[-1][1] + 500, duration_ms - 300)]


def made_file(made: Made, aspect: str) -> Path:
    return Path(next(r["output"] for r in made.results if r["aspect"] == aspect))


# --------------------------------------------------------------------------- several aspects


def test_one_file_per_aspect_with_the_same_audio(made: Made) -> None:
    assert [r["aspect"] for r in made.results] == ["9x16", "16x9", "1x1"]
    hashes = set()
    for result in made.results:
        out, aspect = Path(result["output"]), result["aspect"]
        assert out.name == f"ad-{aspect}.mp4" and Path(result["thumbnail"]).name == f"ad-{aspect}.jpg"
        info = probe(out)
        assert (info.width, info.height) == SIZES[result["aspect"]]
        assert abs(info.duration_s - 15) <= 0.5 and info.audio_codec == "aac"
        hashes.add(audio_md5(out))
    assert len(hashes) == 1  # one voice track, one music bed, one mix: identical decoded samples


def test_voice_ran_once(made: Made) -> None:
    # Without a terminal the CLI prints one line per stage: "voice: 0.4 s" when it runs, "voice: cached" after.
    voice = [line for line in made.stderr.splitlines() if line.startswith("voice:")]
    assert len(voice) == 3 and sum(line != "voice: cached" for line in voice) == 1, made.stderr
    assert len(list(made.work.glob("voice-*"))) == 1
    assert len(list(made.work.glob("render-*"))) == 3


def test_style_without_an_aspect_fails_before_any_work(tmp_path: Path) -> None:
    proc = linkreel("make", PAGE, "-o", str(tmp_path / "ad.mp4"), "--aspect", "9x16", "--aspect", "16x9",
                    "--visual-style", "VlogTemplate", "--workdir", str(tmp_path / "work"), data=tmp_path / "data")
    assert_one_line_error(proc, "VlogTemplate", "16x9", "allows: 9x16")
    assert not (tmp_path / "work").exists() and not list(tmp_path.glob("ad*"))


# --------------------------------------------------------------------------- volumes


def test_voice_volume_lowers_the_voice_against_the_music(made: Made) -> None:
    full = made_file(made, "1x1")
    half = made.work.parent / "half.mp4"
    proc = linkreel("make", PAGE, "-o", str(half), "--length", "15", "--aspect", "1x1", "--voice-volume", "0.5",
                    "--voice", VOICE, "--workdir", str(made.work), data=made.data)
    assert proc.returncode == 0, proc.stderr
    words = word_spans(made.work)
    bed = music_only_spans(words, 15000)
    balance = {}
    for name, path in (("full", full), ("half", half)):
        x = pcm(path)
        balance[name] = level_db(x, words) - level_db(x, bed)  # voice over music
        assert abs(integrated_loudness(path) - (-14.0)) <= 1.0  # both normalised after the volumes
    drop = balance["full"] - balance["half"]
    # 0.5 is -6.0 dB on the voice; the music ducks a little less under the quieter voice, so the balance in the
    # finished mix moves by a bit less (measured ~4.8 dB).
    assert 4.0 <= drop <= 7.0, balance


def voice_pauses(work: Path) -> list[tuple[int, int]]:
    """Where the narration itself pauses between lines (≥ 150 ms under -60 dBFS), in video milliseconds.
    espeak's word spans run into each other, so the pauses are found in its audio, 10 ms at a time."""
    [wav] = work.glob("voice-*/voice.wav")
    x = pcm(wav)
    n = len(x) // 480
    quiet = list(20 * np.log10(np.sqrt(np.mean(x[:n * 480].reshape(n, 480) ** 2, axis=1)) + 1e-12) < -60) + [False]
    pauses, start = [], None
    for i, q in enumerate(quiet):
        if q and start is None:
            start = i
        elif not q and start is not None:
            if i - start >= 15:  # a little inside, so the words' own edges stay out
                pauses.append((start * 10 + LEAD_IN_MS + 30, i * 10 + LEAD_IN_MS - 30))
            start = None
    return pauses


def test_music_volume_zero_is_silence_between_the_lines(made: Made) -> None:
    quiet = made.work.parent / "quiet.mp4"
    proc = linkreel("make", PAGE, "-o", str(quiet), "--length", "15", "--aspect", "1x1", "--music-volume", "0",
                    "--voice", VOICE, "--workdir", str(made.work), data=made.data)
    assert proc.returncode == 0, proc.stderr
    pauses = voice_pauses(made.work)
    assert len(pauses) >= 2  # the ad has several lines
    default, silent = pcm(made_file(made, "1x1")), pcm(quiet)
    assert level_db(default, pauses) > -35  # the default bed fills the pauses (measured ~ -21 dB)...
    assert level_db(silent, pauses) < -60  # ...with --music-volume 0 only the voice's own faint tails are left
    assert level_db(silent, music_only_spans(word_spans(made.work), 15000)) < -90  # no voice there: digital silence
    assert level_db(silent, word_spans(made.work)) > -25  # while the voice is still there


@pytest.mark.parametrize("option", ["--music-volume", "--voice-volume"])
def test_volume_outside_0_1_is_an_error(option: str, tmp_path: Path) -> None:
    proc = linkreel("make", PAGE, "-o", str(tmp_path / "ad.mp4"), option, "1.5", data=tmp_path / "data")
    assert_one_line_error(proc, "volume must be between 0.0 and 1.0")


# --------------------------------------------------------------------------- music catalog


@pytest.mark.parametrize("category", [None, "chill"])
def test_musics_json_is_the_api_catalog(category: str | None, api: Api, tmp_path: Path) -> None:
    args = ["musics", "--json"] + (["--category", category] if category else [])
    proc = linkreel(*args, data=tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(proc.stdout)
    query = f"&category={category}" if category else ""
    served = api.get(f"/api/musics/?page_size=100{query}").json()["results"]
    assert listed == served and len(listed) == len(music.tracks(category))
    assert {t["id"] for t in listed} <= {t.id for t in music.TRACKS}


def test_musics_unknown_category(tmp_path: Path) -> None:
    assert_one_line_error(linkreel("musics", "--category", "polka", data=tmp_path / "data"), "polka", "Upbeat")
