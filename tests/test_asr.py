"""Listen checks: Whisper transcribes finished ads back to their script, and the quality report's
speech check judges a voice track (heavy: `make test-full`)."""

import difflib
import re
from pathlib import Path

import pytest

from linkreel.config import Settings
from linkreel.media.quality import MAX_CER, speech_check
from linkreel.pipeline import AdRequest, make_ad
from linkreel.voice import asr
from linkreel.voice.catalog import default_voice
from linkreel.voice.espeak import EspeakTTS
from linkreel.voice.normalize import normalize_for_speech
from linkreel.voice.samples import AD_LINES
from tests.helpers import EXAMPLES, serve_dir

pytestmark = pytest.mark.heavy

CACHE = Path.home() / ".cache" / "linkreel-tests"


@pytest.fixture(autouse=True)
def whisper() -> None:
    if not asr.available():
        pytest.skip(f"Whisper is not installed ({asr.INSTALL_HINT}; make test-full does)")


def _norm(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


@pytest.mark.parametrize(("language", "threshold"), [("en", 0.75), ("de", 0.6), ("es", 0.55)])
def test_ad_voice_is_intelligible(language: str, threshold: float, tmp_path: Path) -> None:
    """The whole ad (music under the voice) heard back; the report's own check ran beside the render."""
    settings = Settings(data_dir=tmp_path / "data", cache_dir=CACHE, allow_private_urls=True,
                        x264_preset="ultrafast", qa_asr=True)
    with serve_dir(EXAMPLES) as base:
        result = make_ad(AdRequest(source=f"{base}/aerobottle/index.html", aspect="1x1", length=15,
                                   language=language), tmp_path / "ad.mp4", tmp_path / "work", settings)
    heard = asr.transcribe(result.output, language, CACHE).text
    spoken = " ".join(w.text for line in result.timeline.captions.lines for w in line.words)  # type: ignore[union-attr]
    similarity = difflib.SequenceMatcher(None, _norm(spoken), _norm(heard)).ratio()
    assert similarity >= threshold, f"heard {heard!r} for {spoken!r} ({similarity:.2f})"
    assert result.quality_report is not None
    check = result.quality_report.check("speech_intelligibility")
    assert isinstance(check.value, float) and check.detail.startswith("heard: ")
    assert check.status == ("pass" if check.value <= MAX_CER else "warn")


def test_speech_check_passes_a_clear_voice_and_warns_on_the_wrong_words(tmp_path: Path) -> None:
    text = normalize_for_speech(AD_LINES["de"], "de")
    speech = EspeakTTS().synthesize(text, default_voice("de"), str(tmp_path / "de.wav"))
    good = speech_check(Path(speech.audio_path), text, "de", CACHE)
    assert good.status == "pass" and isinstance(good.value, float) and good.value <= MAX_CER, good
    other = normalize_for_speech("Heute regnet es in Hamburg, morgen scheint die Sonne über den Alpen.", "de")
    wrong = speech_check(Path(speech.audio_path), other, "de", CACHE)
    assert wrong.status == "warn" and isinstance(wrong.value, float) and wrong.value > 0.5, wrong
