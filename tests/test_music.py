"""The synthesised music catalog: lookups, file format, levels, determinism, and a listen-check by
analysis (the pitches heard are the chords written)."""

import itertools
import re
import subprocess
import time
import uuid
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from linkreel.errors import InputError
from linkreel.media import music
from linkreel.media.music import Drums, Recipe, Track

SR = 44100
SECONDS = 10.0
TRACKS = music.tracks()


def read_wav(path: Path) -> tuple[np.ndarray, int, int, int]:
    """(samples as floats in [-1, 1] of shape (n, channels), rate, channels, sample width)."""
    with wave.open(str(path), "rb") as w:
        channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.reshape(-1, channels) / 32768.0, rate, channels, width


def dbfs(x: np.ndarray) -> float:
    return 20 * np.log10(max(float(np.sqrt(np.mean(x**2))), 1e-12))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every track rendered once (SECONDS long); the per-track tests share these files."""
    folder = tmp_path_factory.mktemp("music")
    return {t.name: music.render_track(t, SECONDS, folder / f"{t.id}.wav") for t in TRACKS}


@pytest.fixture(scope="module")
def clear_horizon_30s() -> np.ndarray:
    """A bed long enough for an intro (drums enter at bar 2) and several passes of the progression."""
    return music.synthesize(music.get_track("Clear Horizon"), 30)


# --- catalog -----------------------------------------------------------------------------------


def test_catalog_has_enough_tracks_and_categories() -> None:
    assert len(TRACKS) >= 6
    assert len(music.categories()) >= 4
    assert {"Upbeat", "Chill", "Corporate", "Energetic"} <= set(music.categories())
    assert len({t.id for t in TRACKS}) == len({t.name.lower() for t in TRACKS}) == len(TRACKS)
    for t in TRACKS:
        assert uuid.UUID(t.id).version == 5
        assert t.category in music.categories()
        assert 60 <= t.bpm <= 140


def test_ids_are_stable() -> None:
    # Ids go out through the API and into saved jobs; they must not change between releases.
    assert music.get_track("Sunny Drive").id == "903a6ab7-02b1-5066-972a-c17d33fe91de"


def test_get_track_by_id_name_or_category() -> None:
    track = TRACKS[0]
    assert music.get_track(track.id) is track
    assert music.get_track(track.id.upper()) is track
    assert music.get_track(track.name.upper()) is track
    assert music.get_track(track.name.lower().replace(" ", "-")) is track
    assert music.get_track("chill").category == "Chill"
    assert music.tracks("CHILL") == tuple(t for t in TRACKS if t.category == "Chill")


def test_unknown_track_lists_the_names() -> None:
    with pytest.raises(InputError) as err:
        music.get_track("Never Gonna")
    message = str(err.value)
    assert "Never Gonna" in message
    assert all(t.name in message for t in TRACKS)
    with pytest.raises(InputError, match="Upbeat"):
        music.tracks("Polka")


def test_pick_track_is_deterministic_and_respects_category() -> None:
    assert music.pick_track("https://shop.example/p/1") is music.pick_track("https://shop.example/p/1")
    picked = {music.pick_track(f"job-{i}").name for i in range(40)}
    assert len(picked) >= 4  # spreads over the catalog
    for i in range(20):
        assert music.pick_track(f"job-{i}", "energetic").category == "Energetic"
    with pytest.raises(InputError):
        music.pick_track("x", "Polka")


def test_bad_recipe_is_rejected_when_defined() -> None:
    with pytest.raises(ValueError, match="divide"):
        Track(name="Broken", category="Test", bpm=100, key="C", progression=("C", "G", "Am"),
              recipe=Recipe(drums=Drums(kick="x....")), seed=1)
    with pytest.raises(ValueError, match="chord"):
        Track(name="Broken", category="Test", bpm=100, key="C", progression=("H7",), recipe=Recipe(), seed=1)


def test_length_outside_limits_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="length"):
        music.render_track(TRACKS[0], 0, tmp_path / "x.wav")


# --- every track: format and levels ------------------------------------------------------------


@pytest.mark.parametrize("track", TRACKS, ids=lambda t: t.name)
def test_track_format_levels_and_fades(track: Track, rendered: dict[str, Path]) -> None:
    x, rate, channels, width = read_wav(rendered[track.name])
    assert (rate, channels, width) == (SR, 2, 2)
    assert abs(len(x) - SECONDS * SR) <= 1

    peak = 20 * np.log10(np.max(np.abs(x)))
    assert -6 <= peak <= -1

    # Not silent anywhere between the fades: every second holds music.
    for second in range(1, int(SECONDS) - 2):
        assert dbfs(x[second * SR:(second + 1) * SR]) > -35, f"quiet at {second}s"

    # Fade-in from silence and fade-out to silence (no click at either end of the ad).
    assert np.max(np.abs(x[0])) <= 1 / 32768 and np.max(np.abs(x[-1])) <= 1 / 32768
    assert dbfs(x[-SR // 20:]) < -50
    assert dbfs(x[-SR // 20:]) < dbfs(x[len(x) // 2 - SR // 2:len(x) // 2 + SR // 2]) - 30

    # Gentle stereo: the channels differ, but the mix stays mono-compatible.
    corr = np.corrcoef(x[:, 0], x[:, 1])[0, 1]
    assert 0.5 < corr < 0.99


@pytest.mark.parametrize("track", TRACKS, ids=lambda t: t.name)
def test_loudness_is_sane(track: Track, rendered: dict[str, Path]) -> None:
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(rendered[track.name]),
           "-af", "ebur128", "-f", "null", "-"]
    log = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    integrated = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", log)[-1])
    assert -30 <= integrated <= -10


@pytest.mark.parametrize("seconds", [5, 7.3, 12.01, 90])
def test_exact_length_for_any_duration(seconds: float) -> None:
    x = music.synthesize(music.get_track("Night Sprint"), seconds)
    assert x.shape[1] == 2
    assert abs(len(x) - seconds * SR) <= 1


def test_render_is_deterministic(tmp_path: Path, rendered: dict[str, Path]) -> None:
    track = music.get_track("Lazy Sunday")
    again = music.render_track(track, SECONDS, tmp_path / "again.wav")
    assert again.read_bytes() == rendered[track.name].read_bytes()


def test_sixty_seconds_render_fast() -> None:
    start = time.process_time()  # CPU time: not inflated by other jobs sharing the machine
    x = music.synthesize(music.get_track("Rise Together"), 60)
    assert time.process_time() - start < 2.0
    assert len(x) == 60 * SR


# --- the tracks sound different ------------------------------------------------------------------


def _envelope(x: np.ndarray) -> np.ndarray:
    """RMS in 20 ms frames, between the fades: the rhythm of the track."""
    mono = x[int(1.5 * SR):8 * SR].mean(axis=1)
    frame = SR // 50
    return np.sqrt(np.mean(mono[: len(mono) // frame * frame].reshape(-1, frame) ** 2, axis=1))


def test_tracks_differ_from_each_other(rendered: dict[str, Path]) -> None:
    envelopes = {name: _envelope(read_wav(path)[0]) for name, path in rendered.items()}
    for a, b in itertools.combinations(envelopes, 2):
        assert np.corrcoef(envelopes[a], envelopes[b])[0, 1] < 0.6, f"{a} and {b} have the same rhythm"
    # Control: the measure does recognise a track as itself (a longer render of the same music).
    track = TRACKS[0]
    longer = _envelope(music.synthesize(track, SECONDS + 2))
    assert np.corrcoef(envelopes[track.name], longer)[0, 1] > 0.95


# --- arrangement -------------------------------------------------------------------------------------


def test_music_loops_on_whole_progressions(clear_horizon_30s: np.ndarray) -> None:
    track, x = music.get_track("Clear Horizon"), clear_horizon_30s
    period, bar = music.loop_frames(track), music.loop_frames(track) // len(track.progression)
    assert abs(period / SR - track.loop_seconds) < 0.01 * track.loop_seconds
    a, b = 3 * bar, 7 * bar  # after the intro, before the fade-out
    assert np.allclose(x[a:b], x[a + period:b + period])


def test_long_beds_have_an_intro_without_drums(clear_horizon_30s: np.ndarray) -> None:
    track, x = music.get_track("Clear Horizon"), clear_horizon_30s.mean(axis=1)  # drums enter at bar 2
    bar = music.loop_frames(track) // len(track.progression)

    def hiss(segment: np.ndarray) -> float:  # energy above 7 kHz, where only the hats live
        spectrum = np.abs(np.fft.rfft(segment)) ** 2
        return float(spectrum[np.fft.rfftfreq(len(segment), 1 / SR) > 7000].sum() / spectrum.sum())

    assert hiss(x[4 * bar:5 * bar]) > 20 * hiss(x[bar:2 * bar])


# --- listen-check by analysis: the chords heard are the chords written ------------------------------


def test_dominant_pitch_classes_follow_the_progression(clear_horizon_30s: np.ndarray) -> None:
    track, x = music.get_track("Clear Horizon"), clear_horizon_30s.mean(axis=1)
    bar = music.loop_frames(track) // len(track.progression)
    for i, chord in enumerate(track.progression):
        start = (len(track.progression) + i) * bar  # second pass, all layers playing
        segment = x[start + bar // 8:start + bar - bar // 8]  # skip the chord changes
        spectrum = np.abs(np.fft.rfft(segment * np.hanning(len(segment)))) ** 2
        freqs = np.fft.rfftfreq(len(segment), 1 / SR)
        audible = (freqs > 60) & (freqs < 2000)
        pitch_class = np.round(12 * np.log2(freqs[audible] / 440) + 69).astype(int) % 12
        chroma = np.bincount(pitch_class, weights=spectrum[audible], minlength=12)

        written = set(music.parse_chord(chord)[1])
        heard = set(np.argsort(chroma)[::-1][: len(written)].tolist())
        assert heard == written, f"bar {i} ({chord}): heard pitch classes {sorted(heard)}"
        assert chroma[list(written)].sum() / chroma.sum() > 0.6


# --- cache ---------------------------------------------------------------------------------------------


def test_ensure_track_renders_once(tmp_path: Path) -> None:
    track = TRACKS[1]
    path = music.ensure_track(track, 6, tmp_path)
    assert path == tmp_path / "music" / f"{track.id}-6.wav"
    assert abs(len(read_wav(path)[0]) - 6 * SR) <= 1
    stamp = path.stat().st_mtime_ns
    assert music.ensure_track(track, 6, tmp_path) == path
    assert path.stat().st_mtime_ns == stamp  # cached, not rendered again
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp files left


def test_ensure_track_leaves_no_half_file_on_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(track: Track, seconds: float, out_wav: Path, sample_rate: int = SR) -> Path:
        Path(out_wav).write_bytes(b"RIFF half a file")
        raise RuntimeError("killed mid-render")

    monkeypatch.setattr(music, "render_track", crash)
    with pytest.raises(RuntimeError):
        music.ensure_track(TRACKS[0], 6, tmp_path)
    assert list((tmp_path / "music").iterdir()) == []
