"""The offline voice: espeak-ng synthesis and timings, speech normalisation, the voice catalog."""

import base64
import io
import json
import os
import subprocess
import sys
import uuid
import wave
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from linkreel.config import Settings
from linkreel.errors import InputError, LinkreelError
from linkreel.languages import LANGUAGES
from linkreel.script.model import Scene, SceneRole, Script
from linkreel.voice.catalog import all_voices, catalog_for, default_voice, engine_installed, get_voice, voices_for
from linkreel.voice.engines import tts_for
from linkreel.voice.espeak import PAUSE, EspeakTTS
from linkreel.voice.hosted import FallbackTTS, HostedConfig, HostedTTS, TTSUnavailable
from linkreel.voice.narration import narrate, stretch
from linkreel.voice.neural import espeak_ipa
from linkreel.voice.normalize import normalize_for_speech
from linkreel.voice.samples import AD_LINES
from linkreel.voice.speech import Speech, Voice
from tests.helpers import serve_handler

LINKREEL = str(Path(sys.executable).with_name("linkreel"))
SENTENCES = AD_LINES

PUNCTUATION = ".,:;!?¡¿\"'«»“”„()।"

tts = EspeakTTS()


def speak(text: str, language: str, tmp_path: Path, rate: float = 1.0, name: str = "voice.wav") -> Speech:
    return tts.synthesize(text, default_voice(language), str(tmp_path / name), rate)


def read_wav(path: str) -> tuple[np.ndarray, int]:
    with wave.open(path, "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()


def assert_consistent(speech: Speech, text: str) -> None:
    """The invariants captions and lip sync rely on."""
    assert speech.words, "no word timings"
    previous = speech.words[0]
    for word in speech.words:
        assert word.text == text[word.char_start : word.char_end]
        assert word.text and word.text == word.text.strip()
        assert previous.start_ms <= word.start_ms <= word.end_ms <= speech.duration_ms
        assert previous.char_end <= word.char_start or word is previous
        previous = word
    assert speech.words[-1].end_ms == speech.duration_ms
    starts = [p.start_ms for p in speech.phonemes]
    assert starts and starts == sorted(starts)


def test_sentences_cover_every_language() -> None:
    assert set(SENTENCES) == set(LANGUAGES)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_speaks_every_language(language: str, tmp_path: Path) -> None:
    text = SENTENCES[language]
    speech = speak(text, language, tmp_path)

    samples, rate = read_wav(speech.audio_path)
    assert rate == speech.sample_rate == 22050
    assert len(samples) / rate > 0.5
    assert abs(len(samples) * 1000 / rate - speech.duration_ms) <= 1
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    assert rms > 500, f"too quiet: RMS {rms:.0f} of 32767"

    assert speech.text == text
    assert_consistent(speech, text)
    assert speech.words[0].start_ms < 400
    if not LANGUAGES[language].no_spaces:
        # every written word is spoken and timed, punctuation aside
        tokens = [t.strip(PUNCTUATION) for t in text.split()]
        assert [w.text for w in speech.words] == [t for t in tokens if t]


def test_camel_case_and_partial_events_become_whole_words(tmp_path: Path) -> None:
    # espeak reports "Aero"+"Buds", "Don" for "Don't", "high" for "high-quality", "L" for "L'été",
    # and a zero-length event after an opening quote.
    text = "Meet AeroBuds, don't miss high-quality sound: “Quoted” L'été."
    speech = speak(text, "en", tmp_path)
    assert [w.text for w in speech.words] == [
        "Meet", "AeroBuds", "don't", "miss", "high-quality", "sound", "Quoted", "L'été",
    ]  # fmt: skip
    assert_consistent(speech, text)


def test_overlapping_number_events_give_one_word(tmp_path: Path) -> None:
    text = "Only 49.99 today, 1,000,000 fans."
    speech = speak(text, "en", tmp_path)
    assert [w.text for w in speech.words] == ["Only", "49.99", "today", "1,000,000", "fans"]
    assert_consistent(speech, text)


def test_char_offsets_are_code_points_with_emoji_and_combining_marks(tmp_path: Path) -> None:
    text = "Cafe\u0301 😀 👍🏽 naïve test"
    speech = speak(text, "en", tmp_path)
    assert "naïve" in [w.text for w in speech.words]
    assert_consistent(speech, text)


def test_chinese_words_span_to_the_next_event(tmp_path: Path) -> None:
    speech = speak(SENTENCES["zh"], "zh", tmp_path)
    # espeak anchors 这个 and 产品 on their first character only
    assert [w.text for w in speech.words][:2] == ["这个", "产品"]


def test_japanese_clauses_are_split_into_morae(tmp_path: Path) -> None:
    text = SENTENCES["ja"]
    speech = speak(text, "ja", tmp_path)
    texts = [w.text for w in speech.words]
    assert "".join(texts) == text.replace("。", "")
    assert "きょ" in texts  # small kana stay with their mora
    assert len({w.start_ms for w in speech.words}) == len(speech.words)


def test_faster_rate_is_shorter(tmp_path: Path) -> None:
    text = SENTENCES["en"]
    normal = speak(text, "en", tmp_path, 1.0, "normal.wav")
    fast = speak(text, "en", tmp_path, 1.5, "fast.wav")
    assert fast.duration_ms < normal.duration_ms * 0.8
    assert fast.words[-1].start_ms < normal.words[-1].start_ms
    # out-of-range rates are clamped to what espeak accepts, not rejected
    assert speak(text, "en", tmp_path, 10.0, "max.wav").duration_ms < fast.duration_ms


def test_voices_and_pauses(tmp_path: Path) -> None:
    text = "Fast. Light. Yours today."
    female = tts.synthesize(text, get_voice("en-f"), str(tmp_path / "f.wav"))
    male = tts.synthesize(text, get_voice("en-m"), str(tmp_path / "m.wav"))
    assert read_wav(female.audio_path)[0].tobytes() != read_wav(male.audio_path)[0].tobytes()
    assert PAUSE in [p.ipa for p in female.phonemes]
    assert not any(p.ipa.startswith("(") for p in female.phonemes)  # no language-switch markers


def test_threads_share_the_engine_safely(tmp_path: Path) -> None:
    jobs = [(lang, i) for i in range(2) for lang in ("en", "de", "ja", "ru")]

    def run(job: tuple[str, int]) -> list[tuple[str, int]]:
        lang, i = job
        speech = speak(SENTENCES[lang], lang, tmp_path, name=f"{lang}{i}.wav")
        return [(w.text, w.start_ms) for w in speech.words]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, jobs))
    for (lang, _), words in zip(jobs, results, strict=True):
        first = results[jobs.index((lang, 0))]
        assert [text for text, _ in words] == [text for text, _ in first]
        # espeak carries a little state (pitch flutter) from one utterance to the next, so timings
        # may move by a few ms between runs in one process; cross-talk would move them by far more
        assert all(abs(a - b) <= 20 for (_, a), (_, b) in zip(words, first, strict=True))


def test_empty_text_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        speak("  \n", "en", tmp_path)


def test_every_catalog_voice_speaks(tmp_path: Path) -> None:
    for voice in all_voices():
        text = SENTENCES[voice.language].split()[0]
        speech = tts.synthesize(text, voice, str(tmp_path / "v.wav"))
        assert speech.duration_ms > 100 and speech.words, voice


# --- normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "Only $49.99!", "Only forty-nine dollars and ninety-nine cents!"),
        ("en", "Save 20% on 1,299", "Save twenty percent on one thousand two hundred and ninety-nine"),
        ("en", "£5.50, €49", "five pounds and fifty pence, forty-nine euros"),
        ("en", "¥1,234", "one thousand two hundred and thirty-four yen"),
        ("en", "The 1st of 3.5 stars", "The first of three point five stars"),
        # names, times, ranges and phone numbers are read by espeak as written
        ("en", "128GB, 4K, v1.2.3, 24/7, 10:30", "128GB, 4K, v1.2.3, 24/7, 10:30"),
        ("en", "10-20 pcs, call 0800 123 456", "10-20 pcs, call 0800 123 456"),
        ("de", "Nur 49,99 €", "Nur neunundvierzig Euro neunundneunzig"),
        ("de", "1.299,00 € und 1 €", "eintausendzweihundertneunundneunzig Euro und ein Euro"),
        ("de", "jetzt -20 %", "jetzt minus zwanzig Prozent"),
        ("fr", "2 100 avis, 49,99 €", "deux mille cent avis, quarante-neuf euros quatre-vingt-dix-neuf"),
        ("es", "Solo 49,99 €", "Solo cuarenta y nueve euros con noventa y nueve"),
        ("ja", "¥1,234、20%オフ", "せんにひゃくさんじゅうよんえん、にじゅうパーセントオフ"),
        ("ja", "1234円", "せんにひゃくさんじゅうよんえん"),
        ("ko", "49,000원", "사만 구천 원"),
        ("ru", "1 990 ₽, 2 $", "одна тысяча девятьсот девяносто рублей, два доллара"),
        ("ru", "21%, 5 $", "двадцать один процент, пять долларов"),
        ("pl", "2 zł, 5 zł", "dwa złote, pięć złotych"),
        ("ro", "49 lei", "patruzeci și nouă de lei"),
        ("tr", "49,99 TL, %20", "kırk dokuz lira doksan dokuz, yüzde yirmi"),
        ("ar", "٤٩ $", "تسعة و أربعون دولار أمريكي"),
        ("id", "Rp 199.000", "seratus sembilan puluh sembilan ribu rupiah"),
        # no num2words for these: digits stay, the currency becomes a word
        ("zh", "¥199.5，20%", "199.5元，百分之20"),
        ("hi", "₹499, $49.99", "499 रुपये, 49.99 डॉलर"),
        ("bg", "49,99 лв.", "49,99 лева"),
    ],
)  # fmt: skip
def test_normalize(language: str, text: str, expected: str) -> None:
    assert normalize_for_speech(text, language) == expected


def test_normalize_keeps_plain_text_and_checks_the_language() -> None:
    for language, sentence in SENTENCES.items():
        assert normalize_for_speech(sentence, language) == sentence
    with pytest.raises(InputError):
        normalize_for_speech("1", "xx")


def test_normalized_price_is_spoken_as_clean_words(tmp_path: Path) -> None:
    text = normalize_for_speech("AeroBuds for $49.99, 20% off!", "en")
    speech = speak(text, "en", tmp_path)
    assert [w.text for w in speech.words] == [
        "AeroBuds", "for", "forty-nine", "dollars", "and", "ninety-nine", "cents", "twenty", "percent", "off",
    ]  # fmt: skip


# --- catalog ------------------------------------------------------------------------------


def test_catalog_covers_every_language_with_both_genders() -> None:
    for language, info in LANGUAGES.items():
        voices = voices_for(language)
        assert {v.gender for v in voices} == {"female", "male"}
        assert default_voice(language).gender == "male"  # espeak's unvaried voice: the most intelligible
        assert default_voice(language, "female").gender == "female"
        # the default accent is the espeak voice the language table names
        assert default_voice(language).engine_voice.split("+")[0] == info.espeak


def test_voice_ids_are_stable_unique_uuids() -> None:
    ids = [v.id for v in all_voices()]
    assert len(ids) == len(set(ids))
    for voice in all_voices():
        assert str(uuid.UUID(voice.id)) == voice.id
        assert get_voice(voice.id.upper()) == voice
        assert voice.name and voice.accent_name.endswith("accent")
    assert get_voice("en-f").accent_name == "American English accent"
    assert get_voice("en-f").id == get_voice("en-f").id == default_voice("en", "female").id


def test_voice_aliases_and_errors() -> None:
    assert get_voice("de-m") == default_voice("de", "male")
    assert get_voice("tl-f").engine_voice == "id+f3"
    with pytest.raises(InputError, match="unknown voice 'nope'"):
        get_voice("nope")
    with pytest.raises(InputError):
        get_voice("xx-f")
    with pytest.raises(InputError):
        default_voice("en", "robot")
    with pytest.raises(InputError):
        voices_for("xx")


# --- `linkreel say` ------------------------------------------------------------------------------


def say(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LINKREEL_DEBUG"}
    return subprocess.run([LINKREEL, "say", *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("language", ["en", "de", "ja", "ar"])
def test_say_writes_audio_and_prints_word_timings(language: str, tmp_path: Path) -> None:
    out = tmp_path / "out.wav"
    proc = say(SENTENCES[language], "--language", language, "-o", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result) == {"output", "words", "engine", "voice", "duration"}
    assert result["engine"] == "espeak" and result["voice"] == default_voice(language).id
    samples, rate = read_wav(str(out))
    assert result["duration"] == pytest.approx(len(samples) / rate, abs=0.01) and result["duration"] > 1.0
    assert np.sqrt(np.mean(samples.astype(float) ** 2)) > 500, "not silent"
    words = result["words"]
    assert len(words) >= 3 and all(isinstance(w[0], str) and w[0] for w in words)
    starts = [w[1] for w in words]
    assert starts == sorted(starts) and all(w[1] < w[2] <= result["duration"] * 1000 + 1 for w in words)
    assert all(a[2] <= b[1] for a, b in zip(words, words[1:], strict=False)), "words do not overlap"


def test_say_speaks_numbers_with_the_chosen_voice(tmp_path: Path) -> None:
    male = default_voice("de", "male")
    proc = say("Nur 49,99 € heute.", "--language", "de", "--voice", "de-m", "-o", str(tmp_path / "d.wav"), "--json")
    result = json.loads(proc.stdout)
    assert result["voice"] == male.id
    assert [w[0] for w in result["words"]][:3] == ["Nur", "neunundvierzig", "Euro"]


@pytest.mark.parametrize(("args", "needle"), [
    (["hello", "--language", "xx"], "unknown language"),
    (["hallo", "--language", "de", "--voice", "en-f"], "speaks en, not de"),
    (["   ", "--language", "en"], "nothing to say"),
    (["hello", "--rate", "9"], "rate"),
    (["hello", "--voice", "no-such-voice"], "unknown voice"),
])
def test_say_input_errors_are_one_line(args: list[str], needle: str, tmp_path: Path) -> None:
    proc = say(*args, "-o", str(tmp_path / "x.wav"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], proc.stderr
    assert not (tmp_path / "x.wav").exists()


# --- hosted voices (voice/hosted.py) against fakes ----------------------------------------------------


@contextmanager
def fake_speech_api(answer: Callable[[dict[str, Any]], tuple[int, bytes]], seen: list[dict[str, Any]]) -> Iterator[str]:
    """A loopback HTTP server taking OpenAI-style `POST /v1/audio/speech` requests."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
            status, data = answer(body)
            self.send_response(status)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    with serve_handler(Handler) as base:
        yield f"{base}/v1"


LEAD_SILENCE_S = 0.4


def other_voice_wav(text: str, tmp_path: Path) -> tuple[bytes, Speech]:
    """What a 'hosted' voice says: espeak's male voice, slower, after 0.4 s of silence (its true word
    times are known, shifted by the silence)."""
    speech = tts.synthesize(text, default_voice("en", "male"), str(tmp_path / "true.wav"), rate=0.85)
    samples, rate = read_wav(speech.audio_path)
    padded = np.concatenate([np.zeros(int(LEAD_SILENCE_S * rate), dtype="<i2"), samples])
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(padded.tobytes())
    return buf.getvalue(), speech


def test_openai_style_voice_is_timed_by_warping_espeak(tmp_path: Path) -> None:
    text = SENTENCES["en"]
    audio, truth = other_voice_wav(text, tmp_path)
    seen: list[dict[str, Any]] = []
    with fake_speech_api(lambda body: (200, audio), seen) as url:
        hosted = HostedTTS(HostedConfig(url, "openai", api_key="sk-test", model="tts-1"))
        voice = Voice(id="hosted-en", name="Alloy", gender="female", language="en", accent_name="US",
                      engine="hosted", engine_voice="alloy")
        speech = hosted.synthesize(text, voice, str(tmp_path / "out.wav"))
    (request,) = seen
    assert request["path"] == "/v1/audio/speech" and request["auth"] == "Bearer sk-test"
    assert request["body"] == {"model": "tts-1", "voice": "alloy", "input": text, "speed": 1.0,
                               "response_format": "wav"}
    samples, rate = read_wav(speech.audio_path)
    assert speech.duration_ms == round(len(samples) * 1000 / rate) == truth.duration_ms + LEAD_SILENCE_S * 1000
    assert_consistent(speech.model_copy(update={"phonemes": truth.phonemes}), text)
    assert [w.text for w in speech.words] == [w.text for w in truth.words]
    # espeak's timeline warped onto the hosted audio (MFCC + DTW), against the hosted voice's true word onsets
    errors = [abs(w.start_ms - (t.start_ms + LEAD_SILENCE_S * 1000)) for w, t in zip(speech.words, truth.words,
                                                                                    strict=True)]
    assert speech.words[0].start_ms >= LEAD_SILENCE_S * 1000 - 60
    assert np.mean(errors) < 60, errors  # measured: 18 ms


def test_elevenlabs_style_voice_times_words_from_its_alignment(tmp_path: Path) -> None:
    text = "Tap the link today"
    rate = 24000
    tone = (8000 * np.sin(np.arange(rate * 2) * 2 * np.pi * 220 / rate)).astype("<i2")  # 2 s of sound
    starts = [0.1 + 0.08 * i for i in range(len(text))]

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/text-to-speech/voice123/with-timestamps"
        assert request.url.params["output_format"] == "pcm_24000" and request.headers["xi-api-key"] == "k"
        assert json.loads(request.content)["text"] == text
        return httpx.Response(200, json={"audio_base64": base64.b64encode(tone.tobytes()).decode(), "alignment": {
            "characters": list(text), "character_start_times_seconds": starts,
            "character_end_times_seconds": [s + 0.08 for s in starts]}})

    voice = Voice(id="el", name="Rachel", gender="female", language="en", accent_name="US", engine="hosted",
                  engine_voice="voice123")
    hosted = HostedTTS(HostedConfig("https://api.elevenlabs.test", "elevenlabs", api_key="k"),
                       transport=httpx.MockTransport(answer))
    speech = hosted.synthesize(text, voice, str(tmp_path / "el.wav"))
    assert speech.duration_ms == 2000 and speech.sample_rate == rate
    assert [(w.text, w.start_ms) for w in speech.words] == [("Tap", 100), ("the", 420), ("link", 740),
                                                            ("today", 1140)]
    assert speech.words[-1].end_ms == 2000
    samples, _ = read_wav(speech.audio_path)
    assert np.array_equal(samples, tone)


@pytest.mark.parametrize("failure", ["http 500", "timeout", "not audio", "silence"])
def test_a_failing_hosted_voice_falls_back_to_the_offline_one(failure: str, tmp_path: Path) -> None:
    silent = io.BytesIO()
    with wave.open(silent, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros(16000, dtype="<i2").tobytes())

    def answer(request: httpx.Request) -> httpx.Response:
        if failure == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        return {"http 500": httpx.Response(500, text="overloaded"), "not audio": httpx.Response(200, text="<html>"),
                "silence": httpx.Response(200, content=silent.getvalue())}[failure]

    voice = Voice(id="h", name="Nova", gender="female", language="de", accent_name="DE", engine="hosted",
                  engine_voice="nova")
    hosted = HostedTTS(HostedConfig("https://tts.test/v1", "openai"), transport=httpx.MockTransport(answer))
    with pytest.raises(TTSUnavailable):
        hosted.synthesize(SENTENCES["de"], voice, str(tmp_path / "h.wav"))
    speech = FallbackTTS(hosted, tts).synthesize(SENTENCES["de"], voice, str(tmp_path / "f.wav"))
    samples, _ = read_wav(speech.audio_path)
    assert np.abs(samples).max() > 5000 and len(speech.words) == len(SENTENCES["de"].split())
    assert_consistent(speech, SENTENCES["de"])


def test_an_unknown_hosted_api_is_a_clear_error() -> None:
    with pytest.raises(LinkreelError, match="unknown hosted TTS api 'azure'; choose one of: openai, elevenlabs"):
        HostedTTS(HostedConfig("https://tts.test", "azure"))


def test_japanese_kanji_are_read_in_kana(tmp_path: Path) -> None:
    """espeak-ng says "Chinese letter" for a kanji: the voice gets OpenJTalk's kana reading instead."""
    written = "東京の水筒です。"
    said = normalize_for_speech(written, "ja")
    assert said == "トーキョーノスイトーデス。"  # the run takes the kana after the kanji along
    assert normalize_for_speech("保冷24時間", "ja") == "ホレーニジューヨジカン"
    assert normalize_for_speech("ソニー WH-1000XM5 ワイヤレス", "ja") == "ソニー WH-1000XM5 ワイヤレス"  # no kanji
    by_reading = speak(said, "ja", tmp_path, name="reading.wav")
    by_hand = speak("とうきょうのすいとうです。", "ja", tmp_path, name="hand.wav")
    raw = speak(written, "ja", tmp_path, name="raw.wav")  # what espeak does with the kanji
    assert abs(by_reading.duration_ms - by_hand.duration_ms) <= 0.2 * by_hand.duration_ms
    assert raw.duration_ms > 1.5 * by_hand.duration_ms, (raw.duration_ms, by_hand.duration_ms)


# --- engines, routing, fitting non-espeak voices -----------------------------------------------------


def test_stretch_speeds_audio_up_and_scales_timings(tmp_path: Path) -> None:
    speech = tts.synthesize(SENTENCES["en"], default_voice("en"), str(tmp_path / "v.wav"))
    fast = stretch(speech, 1.25, str(tmp_path / "fast.wav"))
    samples, rate = read_wav(fast.audio_path)
    assert fast.duration_ms == round(len(samples) * 1000 / rate)
    assert fast.duration_ms == pytest.approx(speech.duration_ms / 1.25, rel=0.02)
    for before, after in zip(speech.words, fast.words, strict=True):
        assert after.start_ms == pytest.approx(before.start_ms / 1.25, abs=1)
    assert_consistent(fast, SENTENCES["en"])


def test_hosted_narration_is_stretched_to_fit_not_requested_again(tmp_path: Path) -> None:
    """A voice that is not espeak speaks once; a take that is too long is time-stretched (each request
    to a hosted voice costs money, a neural take costs its own duration in CPU)."""
    text = SENTENCES["en"]
    audio, truth = other_voice_wav(text, tmp_path)
    seen: list[dict[str, Any]] = []
    script = Script(language="en", style="x", length_s=15, scenes=[Scene(role=SceneRole.HOOK, spoken=text)])
    budget = round(truth.duration_ms * 0.8)  # the hosted take (with its 0.4 s lead) is ~1.4× too long
    with fake_speech_api(lambda body: (200, audio), seen) as url:
        hosted = HostedTTS(HostedConfig(url, "openai"))
        voice = Voice(id="hosted-en", name="Alloy", gender="female", language="en", accent_name="US",
                      engine="hosted", engine_voice="alloy")
        narration = narrate(script, voice, hosted, tmp_path / "n", budget)
    assert len(seen) == 1
    assert narration.rate > 1.0 and narration.speech.engine == "hosted"
    assert 0.8 * budget <= narration.speech.duration_ms <= budget * 1.02
    samples, rate = read_wav(narration.speech.audio_path)
    assert narration.speech.duration_ms == round(len(samples) * 1000 / rate)
    assert narration.speech.words[-1].end_ms == narration.speech.duration_ms


def test_route_prefers_installed_neural_voices_and_settings_pin_engines() -> None:
    full = catalog_for(Settings(voice_engines=""))
    pinned = catalog_for(Settings(voice_engines="espeak"))
    assert {v.engine for v in pinned.all()} == {"espeak"}
    assert pinned.default("en").id == default_voice("en").id
    if not engine_installed("piper") or not engine_installed("kokoro"):
        pytest.skip("Piper/Kokoro are not installed (make venv installs them)")
    assert full.default("en").engine == "piper" and full.default("en", "female").engine == "kokoro"
    for language in ("es", "it", "pt", "ja", "zh", "ko"):
        assert full.default(language).engine == "kokoro", language
    for language in ("de", "fr", "ar", "tl"):
        assert full.default(language).engine == "espeak", language
    # every voice of the full catalog is found by id, and espeak stays behind the neural voices
    for voice in full.all():
        assert full.get(voice.id) == voice
    assert full.for_language("en")[-1].engine == "espeak"


def test_hosted_voices_come_first_when_configured() -> None:
    settings = Settings(voice_engines="espeak", tts_url="http://127.0.0.1:9/v1", tts_voices="alloy:female,onyx:male")
    voices = catalog_for(settings)
    assert voices.default("de").engine == "hosted" and voices.default("de", "male").engine_voice == "onyx"
    assert {v.engine for v in voices.for_language("ja")} == {"hosted", "espeak"}
    assert tts_for(voices.default("de"), settings).name == "hosted"  # behind it the espeak fallback


def test_kokoro_reads_espeak_ipa_with_word_spaces_and_sentence_ends(tmp_path: Path) -> None:
    text = "Hola, compra la botella hoy. ¡Es genial!"
    speech = tts.synthesize(text, default_voice("es"), str(tmp_path / "es.wav"))
    sentences = espeak_ipa(speech)
    assert len(sentences) == 2
    assert sentences[0].count(" ") == 4 and sentences[0].endswith(".") and "," in sentences[0]
    assert sentences[1].endswith("!") and "_" not in "".join(sentences)


def test_open_jtalk_speaks_japanese_timed_by_espeak(tmp_path: Path) -> None:
    voices = catalog_for(Settings(voice_engines="openjtalk"))
    mei = next(v for v in voices.for_language("ja") if v.engine == "openjtalk")
    text = normalize_for_speech(SENTENCES["ja"], "ja")
    speech = tts_for(mei, Settings()).synthesize(text, mei, str(tmp_path / "mei.wav"))
    samples, rate = read_wav(speech.audio_path)
    assert speech.engine == "openjtalk" and rate == 48000 and np.sqrt(np.mean(samples.astype(float) ** 2)) > 500
    assert_consistent(speech, text)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mei.wav"], "the espeak timing reference is not left behind"


def test_words_espeak_says_inside_a_dictionary_phrase_are_kept(tmp_path: Path) -> None:
    """espeak reads "so much" as one dictionary entry and reports only "so": "much" still gets a caption."""
    text = "I did not expect to love this so much. Meet the bottle."
    speech = tts.synthesize(text, default_voice("en"), str(tmp_path / "v.wav"))
    assert [w.text for w in speech.words] == text.replace(".", "").split()
    so, much, meet = (next(w for w in speech.words if w.text == t) for t in ("so", "much", "Meet"))
    assert so.start_ms < much.start_ms < meet.start_ms and much.end_ms == meet.start_ms
    assert_consistent(speech, text)
