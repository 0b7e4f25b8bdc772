"""Speech phoneme events -> per-frame mouth-shape curves (open / wide / round), with coarticulation.

    track = mouth_track(speech, fps=30, n_frames=...)    -> MouthTrack (numpy arrays, one value per frame)

Each phoneme event becomes one or more viseme segments (a diphthong glides through two). The
mouth at time t is a dominance-weighted blend of all segment targets (Cohen & Massaro): a
segment's weight is its viseme's dominance, decaying exponentially with the distance from the
segment, so weak consonants (k, h) take the shape of the vowels around them while p/b/m force the
lips shut. Rounding spreads further than opening (anticipatory rounding), so it has a longer time
constant. The picture leads the sound by `lead_ms` (people read lips slightly ahead of the audio).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linkreel.avatars.visemes import VISEMES, is_vowel, viseme_of
from linkreel.voice.speech import Speech

LEAD_MS = 60  # within the 40-80 ms visual lead that reads as in sync
OPEN_TAU_MS = 18.0
SHAPE_TAU_MS = 55.0
LAST_MS = 200
STRESS = {"ˈ": 1.0, "ˌ": 0.9}  # espeak marks primary and secondary stress on the vowel
UNSTRESSED = 0.75


@dataclass(frozen=True)
class Segment:
    viseme: str
    start_ms: float
    end_ms: float
    stress: float = 1.0  # scales the opening: stressed vowels open the jaw wider than unstressed ones


@dataclass(frozen=True)
class MouthTrack:
    fps: int
    open: np.ndarray  # float32 per frame, 0..1
    wide: np.ndarray
    round: np.ndarray
    viseme: list[str]  # the dominant viseme per frame (for inspection and tests)

    def __len__(self) -> int:
        return len(self.open)


def segments(speech: Speech) -> list[Segment]:
    """Viseme segments in speech time, covering every phoneme event up to the end of the audio."""
    out: list[Segment] = []
    events = speech.phonemes
    if events and events[0].start_ms > 0:
        # silence before the first sound (an ad's lead-in) is a closed mouth: without it the first sound's
        # shape is the only target nearby and the mouth would hang open through the whole pause
        out.append(Segment("sil", min(0, events[0].start_ms - 500), events[0].start_ms))
    for i, event in enumerate(events):
        # the last event has no successor: it lasts a typical phoneme, then the mouth rests
        end = events[i + 1].start_ms if i + 1 < len(events) else min(speech.duration_ms, event.start_ms + LAST_MS)
        end = max(end, event.start_ms + 1)
        steps = viseme_of(event.ipa)
        if not steps:  # a modifier of the previous sound: that sound lasts longer
            if out:
                prev = out.pop()
                out.append(Segment(prev.viseme, prev.start_ms, end, prev.stress))
            continue
        span = (end - event.start_ms) / len(steps)
        stress = STRESS.get(event.ipa[:1], UNSTRESSED)
        for k, name in enumerate(steps):
            out.append(Segment(name, event.start_ms + k * span, event.start_ms + (k + 1) * span,
                               stress if is_vowel(name) else 1.0))
    if out:  # after the last sound the mouth rests, also in the frames past the end of the audio
        last = out.pop() if out[-1].viseme == "sil" else None
        start = last.start_ms if last else out[-1].end_ms
        out.append(Segment("sil", start, max(start + 1, speech.duration_ms + 500)))
    return out


def mouth_track(speech: Speech, fps: int, n_frames: int | None = None, lead_ms: float = LEAD_MS) -> MouthTrack:
    """Per-frame mouth curves for `speech`; frames past the speech (or without phonemes) rest closed."""
    if n_frames is None:
        n_frames = int(np.ceil(speech.duration_ms * fps / 1000))
    segs = segments(speech) or [Segment("sil", 0, max(1, speech.duration_ms))]
    times = np.arange(n_frames, dtype=np.float64) * 1000.0 / fps + lead_ms

    starts = np.array([s.start_ms for s in segs])
    ends = np.array([s.end_ms for s in segs])
    dominance = np.array([VISEMES[s.viseme].dominance for s in segs])
    targets = np.array([[VISEMES[s.viseme].shape.open * s.stress, VISEMES[s.viseme].shape.wide,
                         VISEMES[s.viseme].shape.round] for s in segs])

    # distance (ms) from each frame time to each segment; 0 inside it
    dist = np.maximum(0.0, np.maximum(starts[None, :] - times[:, None], times[:, None] - ends[None, :]))
    open_w = dominance[None, :] * np.exp(-dist / OPEN_TAU_MS)
    shape_w = dominance[None, :] * np.exp(-dist / SHAPE_TAU_MS)
    rest = VISEMES["sil"]
    # a faint rest target so frames far from any speech settle to the rest shape
    open_w_sum = open_w.sum(axis=1) + 1e-3
    shape_w_sum = shape_w.sum(axis=1) + 1e-3
    mouth_open = (open_w @ targets[:, 0] + 1e-3 * rest.shape.open) / open_w_sum
    wide = (shape_w @ targets[:, 1] + 1e-3 * rest.shape.wide) / shape_w_sum
    rnd = (shape_w @ targets[:, 2] + 1e-3 * rest.shape.round) / shape_w_sum
    # past the end of the audio the mouth is at rest
    after = times - lead_ms > speech.duration_ms
    mouth_open[after] = 0.0
    dominant = [segs[j].viseme if not a else "sil" for j, a in zip(np.argmax(open_w, axis=1), after, strict=True)]
    return MouthTrack(fps=fps, open=mouth_open.astype(np.float32), wide=wide.astype(np.float32),
                      round=rnd.astype(np.float32), viseme=dominant)
