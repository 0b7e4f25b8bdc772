"""What the presenter does besides talking: expressions by scene role, blinks, breathing, head motion, gestures.

    direction = Direction(roles=[RoleSpan(0, 2400, "hook"), ...], no_emotion=False)
    direction = direction_for([(scene.role, span.start_ms, span.end_ms), ...], duration_ms, no_emotion)
    perf = perform(speech, direction, fps, n_frames, seed="persona id")   -> Performance (per-frame arrays)

Everything is a deterministic function of its inputs (blink times come from a seeded generator),
so the same job renders the same sprite. Expressions ease in and out over ~250 ms.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

from linkreel.voice.speech import Speech


@dataclass(frozen=True)
class Expression:
    smile: float  # 0 neutral .. 1 broad smile
    brows: float  # 0 rest .. 1 raised
    energy: float  # scales head motion and gestures


# Expressions by scene role (script.model.SceneRole values); unknown roles use "default".
EXPRESSIONS: dict[str, Expression] = {
    "hook": Expression(smile=0.75, brows=0.8, energy=1.4),  # excited
    "problem": Expression(smile=0.1, brows=0.35, energy=0.9),
    "intro": Expression(smile=0.55, brows=0.4, energy=1.1),
    "benefit": Expression(smile=0.5, brows=0.3, energy=1.0),
    "proof": Expression(smile=0.45, brows=0.25, energy=0.9),
    "offer": Expression(smile=0.65, brows=0.55, energy=1.2),
    "cta": Expression(smile=0.8, brows=0.2, energy=0.8),  # warm
    "default": Expression(smile=0.4, brows=0.2, energy=1.0),
}
NEUTRAL = Expression(smile=0.05, brows=0.0, energy=0.6)


@dataclass(frozen=True)
class RoleSpan:
    start_ms: int
    end_ms: int
    role: str


@dataclass(frozen=True)
class Direction:
    roles: list[RoleSpan] = field(default_factory=list)
    no_emotion: bool = False
    emphasis: list[int] | None = None  # word indexes to gesture on; None: found from the text


def direction_for(scenes: list[tuple[str, int, int]], duration_ms: int, no_emotion: bool = False) -> Direction:
    """Role spans from the script's scenes as (role, start_ms, end_ms) in speech time (Narration.scenes):
    each role lasts until the next scene starts, so pauses between scenes keep the last expression."""
    spans = []
    for k, (role, start, _end) in enumerate(scenes):
        until = scenes[k + 1][1] if k + 1 < len(scenes) else duration_ms
        spans.append(RoleSpan(0 if k == 0 else start, max(until, start), str(role)))
    return Direction(roles=spans, no_emotion=no_emotion)


@dataclass(frozen=True)
class Performance:
    smile: np.ndarray
    brows: np.ndarray
    blink: np.ndarray  # 0 open .. 1 closed
    head_dx: np.ndarray  # fractions of the face width
    head_dy: np.ndarray
    head_angle: np.ndarray  # degrees
    breath: np.ndarray  # 0..1
    gesture: np.ndarray  # 0 hand down .. 1 raised
    blink_frames: list[int]  # frames where a blink is fully closed


_EMPHATIC = re.compile(r"\d|[%$€£¥₹]")


def emphasis_words(speech: Speech) -> list[int]:
    """Words worth a gesture: before an exclamation mark, numbers and prices, or in capitals."""
    out = []
    for i, w in enumerate(speech.words):
        after = speech.text[w.char_end : w.char_end + 2]
        if "!" in after or "！" in after or _EMPHATIC.search(w.text) or (len(w.text) > 2 and w.text.isupper()):
            out.append(i)
    return out


def _ease(values: np.ndarray, fps: int, ms: float = 250.0) -> np.ndarray:
    """First-order smoothing both ways (no lag) so expression changes ease in and out."""
    alpha = 1 - np.exp(-1000.0 / (fps * ms))
    out = values.astype(np.float64).copy()
    for i in range(1, len(out)):
        out[i] = out[i - 1] + alpha * (out[i] - out[i - 1])
    for i in range(len(out) - 2, -1, -1):
        out[i] = out[i + 1] + alpha * (out[i] - out[i + 1])
    return out


def _rng(seed: str) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))


def _blinks(n: int, fps: int, rng: np.random.Generator) -> tuple[np.ndarray, list[int]]:
    # close in ~2 frames, open in ~3 (at 30 fps); people blink every 2-6 s
    shape = np.array([0.4, 0.85, 1.0, 0.75, 0.4, 0.15])
    blink = np.zeros(n)
    closed: list[int] = []
    t = rng.uniform(0.6, 2.0)
    while True:
        start = int(t * fps)
        if start + len(shape) > n:
            break
        blink[start : start + len(shape)] = np.maximum(blink[start : start + len(shape)], shape)
        closed.append(start + 2)
        t += rng.uniform(2.2, 5.0)
    return blink, closed


def perform(speech: Speech, direction: Direction, fps: int, n_frames: int, seed: str) -> Performance:
    rng = _rng(seed)
    times = np.arange(n_frames) * 1000.0 / fps
    smile, brows, energy = (np.full(n_frames, v) for v in (
        (NEUTRAL if direction.no_emotion else EXPRESSIONS["default"]).smile,
        (NEUTRAL if direction.no_emotion else EXPRESSIONS["default"]).brows,
        (NEUTRAL if direction.no_emotion else EXPRESSIONS["default"]).energy))
    if not direction.no_emotion:
        for span in direction.roles:
            expr = EXPRESSIONS.get(span.role, EXPRESSIONS["default"])
            inside = (times >= span.start_ms) & (times < span.end_ms)
            smile[inside], brows[inside], energy[inside] = expr.smile, expr.brows, expr.energy

    # gestures: a raised hand and a brow flash on emphasised words, at most one per 2.5 s
    gesture = np.zeros(n_frames)
    brow_flash = np.zeros(n_frames)
    nod = np.zeros(n_frames)
    words = speech.words
    picks = emphasis_words(speech) if direction.emphasis is None else direction.emphasis
    last = -1e9
    for i in picks:
        if not 0 <= i < len(words) or words[i].start_ms - last < 2500:
            continue
        last = words[i].start_ms
        t0 = words[i].start_ms - 250
        for f in range(max(0, int(t0 * fps / 1000)), min(n_frames, int((t0 + 1600) * fps / 1000))):
            u = (times[f] - t0) / 1600
            gesture[f] = max(gesture[f], np.sin(np.pi * min(1.0, u * 1.6)) if u < 0.3 else
                             (1.0 if u < 0.7 else np.cos(np.pi / 2 * (u - 0.7) / 0.3)))
            brow_flash[f] = max(brow_flash[f], np.exp(-((times[f] - words[i].start_ms) / 250) ** 2))
            nod[f] += np.exp(-((times[f] - words[i].start_ms - 100) / 150) ** 2)
    if direction.no_emotion:
        gesture *= 0.0
        brow_flash *= 0.3

    smile = _ease(smile, fps)
    energy = _ease(energy, fps)
    brows = np.clip(_ease(brows, fps) + 0.6 * brow_flash, 0, 1)

    # idle motion: slow incommensurate sines plus a nod on emphasis
    phase = rng.uniform(0, 2 * np.pi, 4)
    s = times / 1000.0
    head_dx = energy * (0.012 * np.sin(2 * np.pi * 0.13 * s + phase[0])
                        + 0.006 * np.sin(2 * np.pi * 0.31 * s + phase[1]))
    head_dy = energy * (0.008 * np.sin(2 * np.pi * 0.19 * s + phase[2]) + 0.025 * nod)
    head_angle = energy * (1.6 * np.sin(2 * np.pi * 0.11 * s + phase[3]) + 0.8 * np.sin(2 * np.pi * 0.27 * s))
    breath = 0.5 + 0.5 * np.sin(2 * np.pi * s / 4.2 + phase[0])
    blink, closed = _blinks(n_frames, fps, rng)
    return Performance(smile=smile, brows=brows, blink=blink, head_dx=head_dx, head_dy=head_dy,
                       head_angle=head_angle, breath=breath, gesture=gesture, blink_frames=closed)
