"""espeak-ng driven through its C API (ctypes): audio plus exact word and phoneme events.

The library and its data come from the `espeakng-loader` wheel. espeak keeps global state (one
voice, one rate, one callback per process), so a single lazily created `_Engine` owns it and every
synthesis runs under `_LOCK`. Nothing is loaded at import time.

What espeak reports, and what we make of it (all observed with espeak-ng 1.52):

- WORD events carry `text_position` (1-based) and `length` counted in Unicode code points of the
  UTF-8 input, so `text_position - 1` is a Python str index, also for ru/ar/hi/ja/zh, combining
  marks, emoji and flags.
- `length` is unreliable: `Don't` is reported as `Don`, `L'été` as `L`, `high-quality` as `high`
  (the rest of the token gets no event), words after an opening quote get length 0, numbers give
  several overlapping events (`49.99`, `9.99 `, `9.99 ` ...), CamelCase gives one event per part.
  So an event only anchors a position; the spoken word is the whitespace-delimited token holding
  that anchor, with punctuation trimmed off its ends. Several anchors in one token merge.
- CJK has no spaces, so there anchors split tokens: zh gets one event per dictionary word
  (`这个` is reported as `这`, length 1); a span runs up to the next anchor.
- ja gets one event per clause, so kana clauses are split into morae with times interpolated
  between the clause onset and the pause that ends it (Japanese is mora-timed, so this is close).
  Kanji are a known espeak limitation: each is read as "Chinese letter"; feed kana.
- Zero-length events at sentence ends, events on whitespace and events past the text are dropped.
- PHONEME events (IPA, up to 8 bytes) include `(en)`-style language-switch markers (dropped) and
  empty strings at pauses (reported as PAUSE).
"""

import array
import ctypes
import os
import threading
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from itertools import pairwise

from linkreel.errors import InputError
from linkreel.voice.speech import PhonemeTiming, Speech, Voice, WordTiming, write_wav

PAUSE = "_"  # PhonemeTiming.ipa of a silence
DEFAULT_WPM = 175  # espeak's own default; the library's value is read at load time
MIN_WPM, MAX_WPM = 80, 450  # espeakRATE_MINIMUM / espeakRATE_MAXIMUM

# espeak_lib.h constants
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INIT_PHONEME_EVENTS = 0x0001
_INIT_PHONEME_IPA = 0x0002
_INIT_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_PARAM_RATE = 1
_EV_LIST_TERMINATED = 0
_EV_WORD = 1
_EV_PHONEME = 7
_EE_OK = 0


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True)
class _WordEvent:
    pos: int  # 0-based str index
    length: int
    ms: int


@dataclass(frozen=True)
class _Raw:
    pcm: array.array
    words: list[_WordEvent]
    phonemes: list[PhonemeTiming]


class _Engine:
    """The loaded library. Only one may exist per process; use it under `_LOCK`."""

    def __init__(self) -> None:
        import espeakng_loader

        self._lib = lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_GetParameter.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
        ]  # fmt: skip
        flags = _INIT_PHONEME_EVENTS | _INIT_PHONEME_IPA | _INIT_DONT_EXIT
        data = espeakng_loader.get_data_path().encode()
        self.sample_rate: int = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data, flags)
        if self.sample_rate <= 0:
            raise RuntimeError(f"espeak-ng failed to initialise with data at {data.decode()}")
        self.default_wpm: int = lib.espeak_GetParameter(_PARAM_RATE, 0) or DEFAULT_WPM
        # Keep a reference: espeak calls it from C for the lifetime of the process.
        self._callback = _SynthCallback(self._on_synth)
        lib.espeak_SetSynthCallback(self._callback)
        self._pcm = array.array("h")
        self._words: list[_WordEvent] = []
        self._phonemes: list[PhonemeTiming] = []

    def _ms(self, event: _Event) -> int:
        # `sample` is exact; `audio_position` is the same value truncated to whole ms
        return round(event.sample * 1000 / self.sample_rate)

    def _on_synth(
        self, wav: "ctypes._Pointer[ctypes.c_short]", n: int, events: "ctypes._Pointer[_Event]"
    ) -> int:
        if n > 0:
            self._pcm.frombytes(ctypes.string_at(wav, n * 2))
        i = 0
        while events[i].type != _EV_LIST_TERMINATED:
            ev = events[i]
            if ev.type == _EV_WORD:
                self._words.append(_WordEvent(ev.text_position - 1, ev.length, self._ms(ev)))
            elif ev.type == _EV_PHONEME:
                self._add_phoneme(ev.id.string.decode("utf-8", "ignore"), self._ms(ev))
            i += 1
        return 0  # 0 = continue synthesis

    def _add_phoneme(self, ipa: str, ms: int) -> None:
        if ipa.startswith("(") and ipa.endswith(")"):
            return  # language switch marker such as "(en)", not a sound
        ipa = ipa or PAUSE
        if ipa == PAUSE and self._phonemes and self._phonemes[-1].ipa == PAUSE:
            return  # espeak marks both ends of a pause; the mouth only needs its start
        self._phonemes.append(PhonemeTiming(ipa=ipa, start_ms=ms))

    def synth(self, text: str, voice_name: str, wpm: int) -> _Raw:
        lib = self._lib
        if lib.espeak_SetVoiceByName(voice_name.encode()) != _EE_OK:
            raise InputError(f"espeak-ng has no voice {voice_name!r}")
        # The rate survives voice changes, so set it on every call.
        lib.espeak_SetParameter(_PARAM_RATE, wpm, 0)
        self._pcm, self._words, self._phonemes = array.array("h"), [], []
        data = text.encode("utf-8")
        buf = ctypes.create_string_buffer(data)
        rc = lib.espeak_Synth(buf, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if rc != _EE_OK or lib.espeak_Synchronize() != _EE_OK:
            raise RuntimeError(f"espeak-ng synthesis failed (code {rc})")
        return _Raw(self._pcm, self._words, self._phonemes)


_LOCK = threading.Lock()
_engine: _Engine | None = None


def _new_lock_after_fork() -> None:
    # A worker forked while another thread was speaking would inherit a held lock forever.
    global _LOCK
    _LOCK = threading.Lock()


os.register_at_fork(after_in_child=_new_lock_after_fork)


def _synth(text: str, voice_name: str, rate: float) -> tuple[_Raw, int]:
    """Run one synthesis under the process-wide lock; returns the raw result and sample rate."""
    global _engine
    with _LOCK:
        if _engine is None:
            _engine = _Engine()
        wpm = min(MAX_WPM, max(MIN_WPM, round(_engine.default_wpm * rate)))
        return _engine.synth(text, voice_name, wpm), _engine.sample_rate


class EspeakTTS:
    """The offline default TTS: every language, robotic, with exact timings."""

    name = "espeak"

    def synthesize(self, text: str, voice: Voice, out_wav: str, rate: float = 1.0) -> Speech:
        if not text.strip():
            raise InputError("there is no text to speak")
        if rate <= 0:
            raise InputError(f"speech rate must be positive, got {rate}")
        raw, sample_rate = _synth(text, voice.engine_voice, rate)
        write_wav(out_wav, raw.pcm.tobytes(), sample_rate)
        duration_ms = round(len(raw.pcm) * 1000 / sample_rate)
        return Speech(
            audio_path=out_wav,
            sample_rate=sample_rate,
            duration_ms=duration_ms,
            text=text,
            words=_word_timings(text, raw.words, raw.phonemes, duration_ms),
            phonemes=[p for p in raw.phonemes if p.start_ms <= duration_ms],
        )



# ---------------------------------------------------------------------------------------------
# Word events -> words of the input text


def _word_timings(
    text: str, events: list[_WordEvent], phonemes: list[PhonemeTiming], duration_ms: int
) -> list[WordTiming]:
    """Map espeak's WORD events onto substrings of `text` (see the module docstring)."""
    anchors = _anchors(text, events)
    positions = [pos for pos, _ in anchors]
    spans: list[tuple[int, int, int]] = []  # (char_start, char_end, start_ms)
    for start, end in _tokens(text):
        inside = anchors[bisect_left(positions, start) : bisect_left(positions, end)]
        if inside:
            spans.extend(_split_token(text, start, end, inside))
        elif any(ch.isalnum() for ch in text[start:end]):
            # A word espeak said without its own event: a dictionary phrase ("so much" is one entry)
            # reports only its first word. Timed below, between its neighbours. Dashes and lone
            # quotes have no letters and are not spoken.
            spans.append((*_trim(text, start, end), _UNTIMED))
    spans = _timed_between_neighbours(text, spans, duration_ms)
    spans = [(start, end, min(ms, duration_ms)) for start, end, ms in _in_time_order(spans)]
    spans = _split_kana(text, spans, phonemes, duration_ms)
    words = []
    for i, (start, end, ms) in enumerate(spans):
        next_ms = spans[i + 1][2] if i + 1 < len(spans) else duration_ms
        words.append(
            WordTiming(text=text[start:end], start_ms=ms, end_ms=next_ms, char_start=start, char_end=end)
        )
    return words


_UNTIMED = -1


def _timed_between_neighbours(text: str, spans: list[tuple[int, int, int]],
                              duration_ms: int) -> list[tuple[int, int, int]]:
    """Untimed words share the time from the previous word's onset to the next one's with that word,
    in proportion to their letters (letters predict speaking time well: see script/writer.py)."""
    out = list(spans)
    i = 0
    while i < len(out):
        if out[i][2] != _UNTIMED:
            i += 1
            continue
        j = i
        while j < len(out) and out[j][2] == _UNTIMED:
            j += 1
        before = out[i - 1] if i > 0 else None
        t0 = before[2] if before else 0
        t1 = out[j][2] if j < len(out) else duration_ms
        weights = [before[1] - before[0] if before else 0] + [s[1] - s[0] for s in out[i:j]]
        total = max(1, sum(weights))
        at = weights[0]
        for k in range(i, j):
            out[k] = (out[k][0], out[k][1], round(t0 + (t1 - t0) * at / total))
            at += weights[k - i + 1]
        i = j
    return out


def _anchors(text: str, events: list[_WordEvent]) -> list[tuple[int, int]]:
    """(position, earliest onset) of each usable event, in text order."""
    first: dict[int, int] = {}
    for ev in events:
        if 0 <= ev.pos < len(text) and not text[ev.pos].isspace():
            first[ev.pos] = min(ev.ms, first.get(ev.pos, ev.ms))
    return sorted(first.items())


def _tokens(text: str) -> list[tuple[int, int]]:
    """Whitespace-delimited tokens as (start, end) str indexes."""
    out, start = [], None
    for i, ch in enumerate(text):
        if ch.isspace():
            if start is not None:
                out.append((start, i))
            start = None
        elif start is None:
            start = i
    if start is not None:
        out.append((start, len(text)))
    return out


def _split_token(
    text: str, start: int, end: int, anchors: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """One span per token, except next to CJK characters, where each anchor starts a new span."""
    cuts = [pos for pos, _ in anchors[1:] if _is_cjk(text[pos - 1]) or _is_cjk(text[pos])]
    bounds = [start, *cuts, end]
    spans = []
    for lo, hi in pairwise(bounds):
        ms = min(ms for pos, ms in anchors if lo <= pos < hi)  # every segment holds an anchor
        lo, hi = _trim(text, lo, hi)
        if lo < hi:
            spans.append((lo, hi, ms))
    return spans


def _trim(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Drop punctuation and invisible format characters (quotes, commas, ZWSP...) at both ends."""
    while lo < hi and _is_edge_junk(text[lo]):
        lo += 1
    while hi > lo and _is_edge_junk(text[hi - 1]):
        hi -= 1
    return lo, hi


def _is_edge_junk(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ch.isspace() or category.startswith("P") or category == "Cf"


def _in_time_order(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Merge neighbours that espeak spoke out of text order (e.g. "€ 49" read as "49 euro")."""
    out: list[tuple[int, int, int]] = []
    for start, end, ms in spans:
        while out and ms < out[-1][2]:
            prev_start, _, prev_ms = out.pop()
            start, ms = prev_start, min(ms, prev_ms)
        out.append((start, end, ms))
    return out


# ---------------------------------------------------------------------------------------------
# Japanese: one event per clause -> one span per mora

_SMALL_KANA = set("ぁぃぅぇぉゃゅょゎァィゥェォャュョヮ")
_KANJI_WEIGHT = 3.0  # espeak reads each kanji as "Chinese letter": several morae long


def _split_kana(
    text: str, spans: list[tuple[int, int, int]], phonemes: list[PhonemeTiming], duration_ms: int
) -> list[tuple[int, int, int]]:
    out = []
    for i, (start, end, ms) in enumerate(spans):
        units = _morae(text, start, end)
        if len(units) < 2 or not any(_is_kana(text[a]) for a, _, _ in units):
            out.append((start, end, ms))
            continue
        next_ms = spans[i + 1][2] if i + 1 < len(spans) else duration_ms
        # speech ends at the first pause after the onset, not at the next clause's onset
        stop = next((p.start_ms for p in phonemes if p.ipa == PAUSE and ms < p.start_ms < next_ms), next_ms)
        total = sum(w for _, _, w in units)
        done = 0.0
        for lo, hi, weight in units:
            out.append((lo, hi, ms + round((stop - ms) * done / total)))
            done += weight
    return out


def _morae(text: str, start: int, end: int) -> list[tuple[int, int, float]]:
    """(start, end, weight) units: a kana with its small kana, a kanji, or a run of other text."""
    units: list[tuple[int, int, float]] = []
    i = start
    while i < end:
        j = i + 1
        if _is_cjk(text[i]):
            while j < end and text[j] in _SMALL_KANA:
                j += 1
            weight = 1.0 if _is_kana(text[i]) else _KANJI_WEIGHT
        else:
            while j < end and not _is_cjk(text[j]):
                j += 1
            weight = max(1.0, (j - i) / 2)
        lo, hi = _trim(text, i, j)
        if lo < hi:
            units.append((lo, hi, weight))
        i = j
    return units


def _is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f"


def _is_cjk(ch: str) -> bool:
    """Characters written without spaces between words: kana and Han ideographs."""
    return (
        _is_kana(ch)
        or "\u3400" <= ch <= "\u4dbf"
        or "\u4e00" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\U00020000" <= ch <= "\U0003ffff"
    )
