"""The voice-over of a script: one synthesis of all scenes, fitted to the ad's length.

Scenes are spoken as one utterance (natural pauses between sentences) and split back into
scenes by the character offsets of the word events, so the timeline knows when each scene
starts without synthesising scenes separately.
"""

import wave
from pathlib import Path

from pydantic import BaseModel

from linkreel.languages import get_language
from linkreel.script.model import Script
from linkreel.voice.normalize import normalize_for_speech
from linkreel.voice.speech import TTS, Speech, Voice

MIN_RATE, MAX_RATE = 0.85, 1.5


class SceneSpan(BaseModel):
    start_ms: int  # first word onset, in speech time
    end_ms: int  # last word end
    first_word: int  # index into speech.words; -1 when the scene has no words
    last_word: int


class Narration(BaseModel):
    speech: Speech
    scenes: list[SceneSpan]
    rate: float


_SENTENCE_END = ".!?。！？…؟"


def scene_texts(script: Script) -> list[str]:
    """Normalised spoken lines, each closed as a sentence so the voice pauses between scenes."""
    lang = get_language(script.language)
    stop = "。" if lang.no_spaces else "."
    out = []
    for scene in script.scenes:
        text = " ".join(normalize_for_speech(scene.spoken, script.language).split())
        if text and text[-1] not in _SENTENCE_END:
            text += stop
        out.append(text)
    return out


def split_scenes(speech: Speech, texts: list[str], sep: str) -> list[SceneSpan]:
    spans: list[SceneSpan] = []
    pos = 0
    for text in texts:
        lo, hi = pos, pos + len(text)
        idx = [i for i, w in enumerate(speech.words) if lo <= w.char_start < hi]
        if idx:
            first, last = speech.words[idx[0]], speech.words[idx[-1]]
            spans.append(SceneSpan(start_ms=first.start_ms, end_ms=last.end_ms,
                                   first_word=idx[0], last_word=idx[-1]))
        else:
            at = spans[-1].end_ms if spans else 0
            spans.append(SceneSpan(start_ms=at, end_ms=at, first_word=-1, last_word=-1))
        pos = hi + len(sep)
    return spans


def narrate(script: Script, voice: Voice, tts: TTS, out_dir: Path, budget_ms: int, ffmpeg: str | None = None,
            ) -> Narration:
    """Speak the script; re-time the voice (within natural limits) so it fits `budget_ms`.

    espeak speaks again at the new rate (milliseconds of work, exact timings). Any other engine speaks
    once and its audio is time-stretched: a neural voice costs about its own duration in CPU per take.
    """
    texts = scene_texts(script)
    sep = " "
    full = sep.join(texts)
    out_dir.mkdir(parents=True, exist_ok=True)
    wav = str(out_dir / "voice.wav")
    rate = 1.0
    speech = tts.synthesize(full, voice, wav, rate)
    if speech.engine != "espeak":
        ratio = speech.duration_ms / budget_ms
        if not 0.8 <= ratio <= 1.0:
            rate = min(MAX_RATE, max(MIN_RATE, ratio / 0.95 if ratio > 1 else ratio / 0.9))
            speech = stretch(speech, rate, str(out_dir / "voice-fitted.wav"), ffmpeg)
        return Narration(speech=speech, scenes=split_scenes(speech, texts, sep), rate=round(rate, 3))
    for _ in range(3):
        ratio = speech.duration_ms / budget_ms
        if 0.8 <= ratio <= 1.0:
            break
        new_rate = min(MAX_RATE, max(MIN_RATE, rate * ratio * (1.03 if ratio > 1 else 1.0 / 0.95)))
        if abs(new_rate - rate) < 0.01:
            break
        rate = new_rate
        speech = tts.synthesize(full, voice, wav, rate)
    return Narration(speech=speech, scenes=split_scenes(speech, texts, sep), rate=round(rate, 3))


def stretch(speech: Speech, rate: float, out_wav: str, ffmpeg: str | None = None) -> Speech:
    """The same speech `rate` times faster (ffmpeg `atempo`: tempo changes, pitch stays); timings scaled."""
    from linkreel.media.ffmpeg import ffmpeg_exe, run

    run(ffmpeg_exe(ffmpeg), ["-i", speech.audio_path, "-filter:a", f"atempo={rate:.4f}", "-ac", "1", "-c:a",
                             "pcm_s16le", "-ar", str(speech.sample_rate), out_wav])
    with wave.open(out_wav, "rb") as w:
        duration_ms = round(w.getnframes() * 1000 / w.getframerate())

    def at(ms: int) -> int:  # the end of the speech stays its end (atempo rounds the length by a sample or so)
        return duration_ms if ms >= speech.duration_ms else min(duration_ms, round(ms / rate))

    return speech.model_copy(update={
        "audio_path": out_wav, "duration_ms": duration_ms,
        "words": [w.model_copy(update={"start_ms": at(w.start_ms), "end_ms": at(w.end_ms)}) for w in speech.words],
        "phonemes": [p.model_copy(update={"start_ms": at(p.start_ms)}) for p in speech.phonemes],
    })
