"""Hosted voices behind the `TTS` seam: an HTTP text-to-speech API speaks, linkreel times the words.

Two wire formats ("dialects") are known, as a registry:

- `openai`: `POST {url}/audio/speech` `{"model", "voice", "input", "speed", "response_format": "wav"}`
  answers a WAV file. It gives no timings, so espeak-ng speaks the same text and its word and
  phoneme events are warped onto the hosted audio (voice/align.py, MFCC + DTW).
- `elevenlabs`: `POST {url}/v1/text-to-speech/{voice}/with-timestamps?output_format=pcm_24000`
  `{"text", "model_id"}` answers `{"audio_base64", "alignment": {"characters",
  "character_start_times_seconds", "character_end_times_seconds"}}`: 16-bit PCM and per-character
  times, which become word times directly.

`HostedTTS.synthesize` raises `TTSUnavailable` on any failure (timeout, HTTP error, bad audio);
`FallbackTTS` catches it and speaks with the offline voice instead, so a hosted outage never fails
an ad. The voice's `engine_voice` is the service's voice name or id ("alloy", "21m00Tcm4TlvDq8ikWAM").
"""

import base64
import io
import logging
import re
import wave
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import numpy as np

from linkreel.errors import LinkreelError
from linkreel.voice.align import timed_speech
from linkreel.voice.catalog import default_voice
from linkreel.voice.espeak import EspeakTTS
from linkreel.voice.speech import TTS, Speech, TTSUnavailable, Voice, WordTiming, write_wav

log = logging.getLogger(__name__)

SILENCE = 500  # |sample| below this (of 32767) is silence: an answer that never rises above it is refused


@dataclass(frozen=True)
class HostedConfig:
    url: str  # API base: "https://api.openai.com/v1", "https://api.elevenlabs.io"
    api: str  # a DIALECTS key
    api_key: str = ""
    model: str = ""  # "tts-1", "eleven_multilingual_v2"; empty: the dialect's default
    timeout_s: float = 60.0


@dataclass(frozen=True)
class _Request:
    url: str
    headers: dict[str, str]
    body: dict[str, object]


@dataclass(frozen=True)
class _Audio:
    pcm: np.ndarray  # int16 mono
    sample_rate: int
    chars: list[tuple[float, float]] | None  # per character of the text: (start_s, end_s), when the API times them


@dataclass(frozen=True)
class Dialect:
    request: Callable[[HostedConfig, str, Voice, float], _Request]
    parse: Callable[[httpx.Response], _Audio]


def _openai_request(config: HostedConfig, text: str, voice: Voice, rate: float) -> _Request:
    return _Request(
        f"{config.url.rstrip('/')}/audio/speech",
        {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {},
        {"model": config.model or "tts-1", "voice": voice.engine_voice, "input": text, "speed": rate,
         "response_format": "wav"},
    )


def _openai_parse(response: httpx.Response) -> _Audio:
    pcm, sample_rate = _read_wav(response.content)
    return _Audio(pcm, sample_rate, None)


def _elevenlabs_request(config: HostedConfig, text: str, voice: Voice, rate: float) -> _Request:
    return _Request(
        f"{config.url.rstrip('/')}/v1/text-to-speech/{voice.engine_voice}/with-timestamps?output_format=pcm_24000",
        {"xi-api-key": config.api_key} if config.api_key else {},
        {"text": text, "model_id": config.model or "eleven_multilingual_v2", "voice_settings": {"speed": rate}},
    )


def _elevenlabs_parse(response: httpx.Response) -> _Audio:
    data = response.json()
    pcm = np.frombuffer(base64.b64decode(data["audio_base64"]), dtype="<i2")
    alignment = data["alignment"]
    chars = list(zip(alignment["character_start_times_seconds"], alignment["character_end_times_seconds"],
                     strict=True))
    if len(chars) != len(alignment["characters"]):
        raise ValueError("alignment lengths differ")
    return _Audio(pcm, 24000, [(float(a), float(b)) for a, b in chars])


DIALECTS: dict[str, Dialect] = {
    "openai": Dialect(_openai_request, _openai_parse),
    "elevenlabs": Dialect(_elevenlabs_request, _elevenlabs_parse),
}


class HostedTTS:
    """`TTS` over HTTP; word timings from the service, else from espeak-ng stretched onto the audio."""

    name = "hosted"

    def __init__(self, config: HostedConfig, timing: TTS | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        if config.api not in DIALECTS:
            raise LinkreelError(f"unknown hosted TTS api {config.api!r}; choose one of: {', '.join(DIALECTS)}")
        self.config = config
        self.dialect = DIALECTS[config.api]
        self.timing = timing  # the offline voice that times words when the service does not
        self.transport = transport

    def synthesize(self, text: str, voice: Voice, out_wav: str, rate: float = 1.0) -> Speech:
        request = self.dialect.request(self.config, text, voice, rate)
        try:
            with httpx.Client(timeout=self.config.timeout_s, transport=self.transport) as client:
                response = client.post(request.url, json=request.body, headers=request.headers)
        except httpx.HTTPError as e:
            raise TTSUnavailable(f"hosted voice unreachable: {type(e).__name__}: {e}") from e
        if response.status_code != 200:
            raise TTSUnavailable(f"hosted voice answered HTTP {response.status_code}: {response.text[:200]}")
        try:
            audio = self.dialect.parse(response)
        except (ValueError, KeyError, TypeError, wave.Error, EOFError) as e:
            raise TTSUnavailable(f"hosted voice sent no usable audio: {type(e).__name__}: {e}") from e
        if audio.pcm.size == 0 or np.abs(audio.pcm).max() < SILENCE:
            raise TTSUnavailable("hosted voice sent silence")
        if audio.chars is not None and len(audio.chars) == len(text):
            write_wav(out_wav, audio.pcm.astype("<i2").tobytes(), audio.sample_rate)
            duration_ms = round(audio.pcm.size * 1000 / audio.sample_rate)
            return Speech(audio_path=out_wav, sample_rate=audio.sample_rate, duration_ms=duration_ms, text=text,
                          words=_words_from_chars(text, audio.chars, duration_ms), engine=self.name)
        # No usable timings from the service: espeak's, warped onto this audio (voice/align.py).
        timing = self.timing or EspeakTTS()
        reference = timing.synthesize(text, default_voice(voice.language, voice.gender), out_wav + ".ref.wav", rate)
        return timed_speech(reference, audio.pcm, audio.sample_rate, out_wav, self.name)


class FallbackTTS:
    """The hosted voice, or the offline one (the language's default voice) when it cannot speak."""

    def __init__(self, primary: TTS, fallback: TTS) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = getattr(primary, "name", "hosted")

    def synthesize(self, text: str, voice: Voice, out_wav: str, rate: float = 1.0) -> Speech:
        try:
            return self.primary.synthesize(text, voice, out_wav, rate)
        except TTSUnavailable as e:
            log.warning("%s; speaking with the offline voice", e)
            return self.fallback.synthesize(text, default_voice(voice.language, voice.gender), out_wav, rate)


_WORD = re.compile(r"\S+")


def _words_from_chars(text: str, chars: list[tuple[float, float]], duration_ms: int) -> list[WordTiming]:
    """Words (runs of non-space characters) timed from per-character times; a word lasts until the next."""
    spans = [(m.start(), m.end(), round(chars[m.start()][0] * 1000)) for m in _WORD.finditer(text)]
    words = []
    for i, (start, end, ms) in enumerate(spans):
        next_ms = spans[i + 1][2] if i + 1 < len(spans) else duration_ms
        words.append(WordTiming(text=text[start:end], start_ms=min(ms, duration_ms),
                                end_ms=min(max(ms, next_ms), duration_ms), char_start=start, char_end=end))
    return words


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """16-bit PCM WAV bytes -> (mono int16 samples, sample rate); stereo is mixed down."""
    with wave.open(io.BytesIO(data), "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{8 * w.getsampwidth()}-bit audio; 16-bit PCM expected")
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        channels, rate = w.getnchannels(), w.getframerate()
    if channels > 1:
        pcm = pcm.reshape(-1, channels).mean(axis=1).astype("<i2")
    return pcm, rate

