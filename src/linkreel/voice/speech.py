"""Synthesised speech with the timings captions and lip-sync are built from."""

import wave
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from linkreel.errors import LinkreelError


class WordTiming(BaseModel):
    text: str  # the word as written in the input text
    start_ms: int  # onset in the audio
    end_ms: int  # onset of the next word, or end of speech
    char_start: int  # offset in the input text (Python str index)
    char_end: int


class PhonemeTiming(BaseModel):
    ipa: str
    start_ms: int


class Speech(BaseModel):
    """One utterance: a mono WAV file plus word and phoneme timings relative to its start."""

    audio_path: str
    sample_rate: int
    duration_ms: int
    text: str  # the text that was spoken (after normalisation)
    engine: str = "espeak"  # the engine that spoke it (after any fallback)
    words: list[WordTiming] = Field(default_factory=list)
    phonemes: list[PhonemeTiming] = Field(default_factory=list)


class Voice(BaseModel):
    id: str  # stable id; the API's accent id
    name: str
    gender: str  # "male" | "female"
    language: str  # ISO 639-1
    accent_name: str
    engine: str = "espeak"
    engine_voice: str  # the engine's own voice name, e.g. "en-us+f3"


class TTSUnavailable(LinkreelError):
    """An engine could not speak (service down, model missing): the caller may fall back to espeak-ng."""


class TTS(Protocol):
    def synthesize(self, text: str, voice: Voice, out_wav: str, rate: float = 1.0) -> Speech:
        """Speak `text` into `out_wav`; rate 1.0 is the voice's normal speed."""
        ...


def write_wav(path: str, pcm: bytes, sample_rate: int) -> None:
    """Mono 16-bit little-endian PCM as a WAV file (what every engine hands the pipeline)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm)
