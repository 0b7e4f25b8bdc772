"""The audio mix: music ducks under the voice, user music URLs go through the fetcher."""

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from linkreel.config import Settings
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.probe import integrated_loudness, probe
from linkreel.media.render import audio_graph
from linkreel.media.timeline import AudioClip, MusicClip, Timeline
from linkreel.pipeline import AdRequest, make_ad
from tests.helpers import EXAMPLES, serve_dir

SR = 48000


def write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())


def band_level(x: np.ndarray, freq: float) -> float:
    """Amplitude of one frequency in a block (windowed DFT bin)."""
    n = len(x)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(n)))
    return float(spectrum[int(round(freq * n / SR))])


def test_music_ducks_under_the_voice(tmp_path: Path) -> None:
    t = np.arange(6 * SR) / SR
    voice = np.where((t >= 2) & (t < 4), 0.5 * np.sin(2 * np.pi * 440 * t), 0.0)
    music = 0.3 * np.sin(2 * np.pi * 110 * t)
    write_wav(tmp_path / "voice.wav", voice)
    write_wav(tmp_path / "music.wav", music)
    tl = Timeline(duration_ms=6000, language="en", transition_ms=0, visuals=[],
                  voice=AudioClip(src="voice.wav", start_ms=0), music=MusicClip(src="music.wav", volume=1.0))
    graph = audio_graph(tl, 0, 1, gain_db=0.0)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", "voice.wav", "-i", "music.wav", "-filter_complex", graph,
                    "-map", "[aout]", "-ac", "1", "-ar", str(SR), "mix.wav"], cwd=tmp_path, check=True)
    with wave.open(str(tmp_path / "mix.wav")) as w:
        mix = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(float) / 32767
    alone = band_level(mix[int(0.5 * SR):int(1.5 * SR)], 110)
    ducked = band_level(mix[int(2.5 * SR):int(3.5 * SR)], 110)
    assert 20 * np.log10(alone / ducked) > 6  # at least 6 dB quieter while the voice speaks
    assert band_level(mix[int(2.5 * SR):int(3.5 * SR)], 440) > ducked  # and the voice is on top


def test_music_from_url(tmp_path: Path) -> None:
    t = np.arange(3 * SR) / SR
    (tmp_path / "site").mkdir()
    write_wav(tmp_path / "site" / "bed.wav", 0.3 * np.sin(2 * np.pi * 220 * t))  # 3 s: must be looped
    settings = Settings(data_dir=tmp_path / "data", allow_private_urls=True, x264_preset="ultrafast")
    with serve_dir(EXAMPLES) as shop, serve_dir(tmp_path / "site") as site:
        result = make_ad(AdRequest(source=f"{shop}/aerobottle/index.html", aspect="1x1", length=15,
                                   music=f"{site}/bed.wav"), tmp_path / "ad.mp4", tmp_path / "work", settings)
    assert result.timeline.music is not None
    music = Path(result.timeline.music.src)
    assert abs(probe(music).duration_s - 15) < 0.2  # looped to the ad's length
    assert abs(integrated_loudness(result.output) - (-14.0)) <= 1.0


def test_music_url_blocked_without_permission(tmp_path: Path) -> None:
    from linkreel.errors import FetchError

    settings = Settings(data_dir=tmp_path / "data", allow_private_urls=False)
    page = EXAMPLES / "aerobottle" / "index.html"
    with pytest.raises(FetchError):
        make_ad(AdRequest(source=str(page), length=15, music="http://169.254.169.254/latest/meta-data"),
                tmp_path / "ad.mp4", tmp_path / "work", settings)


def _mix(tmp_path: Path, voice: Path, bed: Path, volume: float, duck: bool, lead_ms: int,
         voice_volume: float = 1.0) -> np.ndarray:
    """The render's own voice + music graph, before the loudness gain and the limiter (so it stays linear)."""
    tl = Timeline(duration_ms=8000, language="en", transition_ms=0, visuals=[],
                  voice=AudioClip(src=str(voice), start_ms=lead_ms, volume=voice_volume),
                  music=MusicClip(src=str(bed), volume=volume, duck=duck))
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(voice), "-i", str(bed), "-filter_complex",
                          audio_graph(tl, 0, 1, gain_db=None), "-map", "[aout]", "-ac", "1", "-ar", str(SR),
                          "-f", "f32le", "-"], capture_output=True, check=True, cwd=tmp_path).stdout
    return np.frombuffer(raw, np.float32).astype(float)


def rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x ** 2)) + 1e-12))


@pytest.mark.parametrize("voice_volume", [1.0, 0.5])
def test_ducking_lowers_a_catalog_bed_8_db_under_real_speech(tmp_path: Path, voice_volume: float) -> None:
    """An espeak line over a catalog track at the styles' music level: the bed's RMS while words are spoken drops
    ≥ 8 dB, and comes back in the silence after the line. The bed is isolated by subtracting the voice-only mix
    (the voice path is linear and identical in both), and compared with the same bed unducked, window by window.
    A voice turned down to half (`--voice-volume 0.5`) ducks the music as deeply."""
    from linkreel.media import music
    from linkreel.media.styles import DEFAULT_STYLE, get_style
    from linkreel.voice.catalog import default_voice
    from linkreel.voice.espeak import EspeakTTS

    voice = tmp_path / "voice.wav"
    speech = EspeakTTS().synthesize("Meet the AeroBottle. It keeps water cold for a whole day. Get yours today.",
                                    default_voice("en"), str(voice), 1.0)
    bed = music.ensure_track(music.TRACKS[0], 8, tmp_path / "cache")
    lead = 1000
    volume = get_style(DEFAULT_STYLE).music_volume  # the level the default visual style puts the bed at
    alone = _mix(tmp_path, voice, bed, 0.0, True, lead, voice_volume)
    ducked = _mix(tmp_path, voice, bed, volume, True, lead, voice_volume) - alone
    plain = _mix(tmp_path, voice, bed, volume, False, lead, voice_volume) - alone

    def cut(x: np.ndarray, start_ms: int, end_ms: int) -> np.ndarray:
        return x[(start_ms + lead) * SR // 1000:(end_ms + lead) * SR // 1000]

    # Words, past the compressor's 20 ms attack.
    words = [(w.start_ms + 50, w.end_ms) for w in speech.words if w.end_ms - w.start_ms > 80]
    assert len(words) >= 10
    under = rms_db(np.concatenate([cut(plain, a, b) for a, b in words])) - \
        rms_db(np.concatenate([cut(ducked, a, b) for a, b in words]))
    assert under >= 8.0, f"the music drops only {under:.1f} dB under the voice"
    for a, b in words:  # and under every word on its own
        assert rms_db(cut(plain, a, b)) - rms_db(cut(ducked, a, b)) >= 3.0
    # After the line (past the 350 ms release) the bed is back at its level.
    after = speech.duration_ms + 800
    assert abs(rms_db(cut(plain, after, after + 1000)) - rms_db(cut(ducked, after, after + 1000))) < 1.0
