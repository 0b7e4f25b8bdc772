"""Word and phoneme timings for voices that give none: espeak's exact timeline warped onto their audio.

Piper, Kokoro and hosted voices return audio only (or timings that do not match the written words).
espeak-ng speaking the same text gives exact, text-anchored word and phoneme events, so we align
the two recordings with dynamic time warping over MFCC frames (10 ms hop) and move every espeak
event to the matching moment of the other voice. Measured on these machines: ~37 ms mean onset
error against Piper's own alignment (research/offline_stack.md §2).

numpy only: a librosa dependency would pull ~0.4 GB (scipy, numba) for ~60 lines of signal code.
The DTW keeps one row of costs and a byte of back-pointer per cell (9 MB for a 30 s ad).
"""

from dataclasses import dataclass

import numpy as np

from linkreel.voice.speech import PhonemeTiming, Speech, WordTiming

HOP_MS = 10
N_MELS = 40
N_MFCC = 13  # c0 (loudness) is dropped: the two voices differ in level, not in what they say
FMAX = 8000.0


@dataclass(frozen=True)
class Warp:
    """A monotonic map from the reference recording's time to the target's, in milliseconds."""

    first_target_frame: np.ndarray  # per reference frame: the first target frame the path reaches
    target_ms: int

    def __call__(self, ref_ms: int) -> int:
        i = min(len(self.first_target_frame) - 1, max(0, round(ref_ms / HOP_MS)))
        return min(self.target_ms, int(self.first_target_frame[i]) * HOP_MS)


def mfcc(pcm: np.ndarray, sample_rate: int) -> np.ndarray:
    """(frames, N_MFCC - 1) cepstra, one frame per HOP_MS, normalised per coefficient over the utterance."""
    # A whisper of noise (-70 dBFS): digital silence has no spectrum, and pauses must look alike in both voices.
    x = pcm.astype(np.float32) / 32768.0 + np.random.default_rng(0).normal(0, 3e-4, len(pcm)).astype(np.float32)
    win = round(0.025 * sample_rate)
    n_fft = 1 << (win - 1).bit_length()
    # Frame starts at exact multiples of 10 ms (a rounded hop would drift ~0.2 % at 22.05 kHz).
    n_frames = max(1, int(len(x) * 1000 / sample_rate / HOP_MS))
    starts = np.round(np.arange(n_frames) * sample_rate * HOP_MS / 1000).astype(np.int64)
    padded = np.concatenate([x, np.zeros(win, np.float32)])
    frames = padded[starts[:, None] + np.arange(win)[None, :]] * np.hanning(win).astype(np.float32)
    power = np.abs(np.fft.rfft(frames, n=n_fft, axis=1)) ** 2
    mel = np.log(power @ _mel_filters(sample_rate, n_fft).T + 1e-10)
    ceps = mel @ _dct(N_MELS, N_MFCC).T
    ceps = ceps[:, 1:]
    return (ceps - ceps.mean(axis=0)) / (ceps.std(axis=0) + 1e-6)


def _mel_filters(sample_rate: int, n_fft: int) -> np.ndarray:
    def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    top = min(FMAX, sample_rate / 2)
    mels = np.linspace(hz_to_mel(0.0), hz_to_mel(top), N_MELS + 2)
    hz = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    lo, mid, hi = hz[:-2, None], hz[1:-1, None], hz[2:, None]
    rising = (bins[None, :] - lo) / (mid - lo)
    falling = (hi - bins[None, :]) / (hi - mid)
    return np.maximum(0.0, np.minimum(rising, falling)).astype(np.float32)


def _dct(n_in: int, n_out: int) -> np.ndarray:
    k = np.arange(n_out)[:, None]
    n = np.arange(n_in)[None, :]
    basis = np.cos(np.pi * k * (2 * n + 1) / (2 * n_in)) * np.sqrt(2.0 / n_in)
    basis[0] /= np.sqrt(2.0)
    return basis.astype(np.float32)


_UP, _LEFT, _DIAG = 0, 1, 2


def dtw_path(ref: np.ndarray, target: np.ndarray) -> list[tuple[int, int]]:
    """The cheapest monotonic path from (0, 0) to (n-1, m-1), cosine distance between frames.

    Row by row: D[i, j] = min(E[j], D[i, j-1] + C[i, j]) with E[j] = C[i, j] + min(D[i-1, j], D[i-1, j-1])
    is a running minimum over prefix sums, so each row is a few numpy operations.
    """
    a = ref / (np.linalg.norm(ref, axis=1, keepdims=True) + 1e-9)
    b = target / (np.linalg.norm(target, axis=1, keepdims=True) + 1e-9)
    n, m = len(a), len(b)
    steps = np.empty((n, m), dtype=np.uint8)
    cost = 1.0 - b @ a[0]
    prev = np.cumsum(cost)
    steps[0, 0], steps[0, 1:] = _DIAG, _LEFT
    for i in range(1, n):
        cost = 1.0 - b @ a[i]
        diag = np.concatenate([[np.inf], prev[:-1]])
        from_above = np.minimum(prev, diag)
        entry = cost + from_above  # arriving in this cell from the row above
        sums = np.cumsum(cost)
        row = sums + np.minimum.accumulate(entry - sums)  # ...or sliding left along this row
        horizontal = row < entry - 1e-9
        steps[i] = np.where(horizontal, _LEFT, np.where(diag <= prev, _DIAG, _UP))
        prev = row
    path = []
    i, j = n - 1, m - 1
    while i > 0 or j > 0:
        path.append((i, j))
        step = steps[i, j] if i > 0 else _LEFT
        if j == 0:
            step = _UP
        if step == _DIAG:
            i, j = i - 1, j - 1
        elif step == _UP:
            i -= 1
        else:
            j -= 1
    path.append((0, 0))
    return path[::-1]


def warp(ref_pcm: np.ndarray, ref_rate: int, target_pcm: np.ndarray, target_rate: int) -> Warp:
    """DTW between the sounding parts of both recordings; leading and trailing silence map by offset
    (a silence one voice has and the other lacks would otherwise be matched against speech)."""
    ref, target = mfcc(ref_pcm, ref_rate), mfcc(target_pcm, target_rate)
    (r0, r1), (t0, t1) = _sounding(ref_pcm, ref_rate, len(ref)), _sounding(target_pcm, target_rate, len(target))
    path = dtw_path(ref[r0:r1], target[t0:t1])
    first = np.full(len(ref), -1, dtype=np.int64)
    for i, j in path:
        if first[r0 + i] < 0:
            first[r0 + i] = t0 + j
    first[:r0] = np.clip(t0 - (r0 - np.arange(r0)), 0, None)
    first[r1:] = np.clip(t1 + np.arange(len(ref) - r1), None, len(target) - 1)
    return Warp(first, round(len(target_pcm) * 1000 / target_rate))


def _sounding(pcm: np.ndarray, sample_rate: int, n_frames: int) -> tuple[int, int]:
    """The frames from the first to the last one louder than -45 dB below the loudest frame."""
    hop = sample_rate * HOP_MS / 1000
    usable = pcm[: int(n_frames * hop)].astype(np.float32)
    energy = np.array([np.sqrt(np.mean(usable[round(i * hop): round((i + 1) * hop)] ** 2) + 1e-9)
                       for i in range(n_frames)])
    loud = np.flatnonzero(energy > energy.max() * 10 ** (-45 / 20))
    if loud.size < 2:
        return 0, n_frames
    return int(loud[0]), int(loud[-1]) + 1


def retime(reference: Speech, ref_pcm: np.ndarray, target_pcm: np.ndarray, target_rate: int,
           ) -> tuple[list[WordTiming], list[PhonemeTiming]]:
    """The reference's words and phonemes moved onto the target recording of the same text."""
    w = warp(ref_pcm, reference.sample_rate, target_pcm, target_rate)
    words = []
    last = 0
    for k, word in enumerate(reference.words):
        start = max(last, w(_sound_onset(reference, k)))
        end = max(start, w(word.end_ms)) if word.end_ms < reference.duration_ms else w.target_ms
        words.append(word.model_copy(update={"start_ms": start, "end_ms": end}))
        last = start
    phonemes = []
    last = 0
    for p in reference.phonemes:
        last = max(last, w(p.start_ms))
        phonemes.append(PhonemeTiming(ipa=p.ipa, start_ms=last))
    return words, phonemes


def _sound_onset(reference: Speech, k: int) -> int:
    """Where word k starts sounding: its first phoneme. espeak puts the first word event at 0 ms, before
    the first sound, and a silent reference frame maps to the start of the other voice's silence."""
    word = reference.words[k]
    end = reference.words[k + 1].start_ms if k + 1 < len(reference.words) else reference.duration_ms
    starts = [p.start_ms for p in reference.phonemes if word.start_ms <= p.start_ms < end and p.ipa != "_"]
    return min(starts, default=word.start_ms)


def read_wav(path: str) -> tuple[np.ndarray, int]:
    """A mono 16-bit WAV file as (int16 samples, sample rate)."""
    import wave

    with wave.open(path, "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()


def timed_speech(reference: Speech, pcm: np.ndarray, sample_rate: int, out_wav: str, engine: str) -> Speech:
    """`pcm` (another voice saying `reference.text`) written to `out_wav`, timed by the reference.

    The reference's audio file is removed: it was only made for timing."""
    from pathlib import Path

    from linkreel.voice.speech import write_wav

    ref_pcm, _ = read_wav(reference.audio_path)
    Path(reference.audio_path).unlink(missing_ok=True)
    words, phonemes = retime(reference, ref_pcm, pcm, sample_rate)
    write_wav(out_wav, pcm.astype("<i2").tobytes(), sample_rate)
    return Speech(audio_path=out_wav, sample_rate=sample_rate, duration_ms=round(len(pcm) * 1000 / sample_rate),
                  text=reference.text, words=words, phonemes=phonemes, engine=engine)
