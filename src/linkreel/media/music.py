"""Background-music catalog, synthesised offline with numpy.

No royalty-free music ships on the package registries, so every track is a small recipe (tempo,
chord progression, instruments, step patterns) rendered on demand: a soft pad, a bass line, a
plucked or e-piano arpeggio and light drums. A render is a pure function of (track, seconds,
sample rate), so the same request always yields the same bytes and can be cached on disk.

How a render works, top-down:

1. Each layer (pad, bass, lead, drums) is synthesised once for one cycle of the chord
   progression into a *circular* buffer: note tails that run past the end wrap to the start, and
   filters are applied in the frequency domain (circular too), so the cycle loops seamlessly.
2. The cycles are tiled to the requested length; layers may enter a few bars late (an intro).
3. The mix gets gentle bus saturation, a fade-in and a fade-out, and is normalised to -3 dBFS.

Cost depends on the cycle (~10 s of audio), not on the requested length.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np

from linkreel.errors import InputError
from linkreel.files import make_once

SAMPLE_RATE = 44100
PEAK_DBFS = -3.0
STEPS_PER_BAR = 16  # 4/4 in sixteenth notes; every pattern below is written on this grid
MIN_SECONDS = 1.0
MAX_SECONDS = 600.0

# Fixed namespace so a track's id depends only on its name, across machines and releases.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://linkreel.dev/music")

Stereo = np.ndarray  # float64, shape (n, 2)
Mono = np.ndarray  # float64, shape (n,)


# --------------------------------------------------------------------------------------------
# Chords
# --------------------------------------------------------------------------------------------

_NOTE = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_QUALITY = {
    "": (0, 4, 7),
    "m": (0, 3, 7),
    "7": (0, 4, 7, 10),
    "m7": (0, 3, 7, 10),
    "maj7": (0, 4, 7, 11),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "add9": (0, 4, 7, 14),
}
_CHORD_RE = re.compile(r"^([A-G])([#b]?)(" + "|".join(sorted(_QUALITY, key=len, reverse=True)) + r")$")


def parse_chord(symbol: str) -> tuple[int, tuple[int, ...]]:
    """'F#m7' -> (6, (6, 9, 1, 4)): root pitch class and the chord's pitch classes."""
    m = _CHORD_RE.match(symbol)
    if not m:
        raise ValueError(f"unsupported chord symbol {symbol!r}")
    root = (_NOTE[m[1]] + {"#": 1, "b": -1, "": 0}[m[2]]) % 12
    return root, tuple((root + i) % 12 for i in _QUALITY[m[3]])


def _voice(pitch_classes: tuple[int, ...], low_midi: int) -> list[int]:
    """Close voicing: each pitch class placed in [low_midi, low_midi + 12), sorted."""
    return sorted({low_midi + (pc - low_midi) % 12 for pc in pitch_classes})


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)



# --------------------------------------------------------------------------------------------
# Recipes: tracks are data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pad:
    """Sustained chords: detuned oscillators per chord tone, spread across the stereo field."""

    wave: Literal["saw", "sine"] = "saw"  # saw: warm synth pad; sine: soft organ-like bed
    voices: int = 3  # detuned copies per chord tone (chorus and stereo width)
    detune_cents: float = 10.0  # spread of the copies, edge to edge is twice this
    width: float = 0.7  # 0 = mono, 1 = outer copies hard left/right
    cutoff_hz: float = 1800.0  # low-pass; lower is darker
    attack_s: float = 0.35
    release_s: float = 0.6  # overlaps the next chord's attack, so chords crossfade
    low_midi: int = 53  # chord tones are voiced in [low_midi, low_midi + 12)
    gain: float = 0.22
    enter_bar: int = 0


@dataclass(frozen=True)
class Bass:
    """Bass line on the chord roots. Pattern steps: r root, f fifth, o octave, - hold, . rest."""

    pattern: str = "r-------r-------"
    wave: Literal["round", "synth"] = "round"  # round: sine + few harmonics; synth: filtered saw
    cutoff_hz: float = 900.0
    low_midi: int = 38  # roots are placed in [low_midi, low_midi + 12): D2..C#3
    gain: float = 0.32
    enter_bar: int = 0


@dataclass(frozen=True)
class Lead:
    """Arpeggio over the chord. Pattern steps: a digit indexes the chord tones (two octaves, low to
    high, wrapping), `.` is a rest."""

    voice: Literal["pluck", "epiano", "bell", "marimba"] = "pluck"
    pattern: str = "0.1.2.3.2.1.2.3."
    decay_s: float = 0.25
    low_midi: int = 64  # arpeggio starts in [low_midi, low_midi + 12)
    echo: float = 0.25  # ping-pong delay level; the echoes are what makes it sound wide
    echo_steps: int = 3  # dotted eighth
    gain: float = 0.2
    enter_bar: int = 0


@dataclass(frozen=True)
class Drums:
    """Step patterns. `x` hit, `X` accent, `.` rest; in `hat`, `o` is an open hat."""

    kick: str = "x.......x......."
    snare: str = "....x.......x..."
    hat: str = "..x...x...x...x."
    snare_kind: Literal["clap", "snare", "rim"] = "clap"
    gain: float = 0.45
    enter_bar: int = 0


@dataclass(frozen=True)
class Recipe:
    pad: Pad | None = None
    bass: Bass | None = None
    lead: Lead | None = None
    drums: Drums | None = None
    swing: float = 0.0  # delay of every odd sixteenth, as a fraction of a step
    pump: float = 0.0  # sidechain-style ducking of pad and bass on each kick (0..1)


@dataclass(frozen=True)
class Track:
    name: str
    category: str
    bpm: float
    key: str  # informational, e.g. "A minor"
    progression: tuple[str, ...]  # one chord symbol per bar, e.g. ("Am", "F", "C", "G")
    recipe: Recipe
    seed: int  # for noise and humanisation; part of the recipe, so renders stay deterministic
    id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(uuid.uuid5(_ID_NAMESPACE, self.name)))
        for chord in self.progression:
            parse_chord(chord)  # fail at import of a bad recipe, not at render time
        loop_steps = len(self.progression) * STEPS_PER_BAR
        for pattern in _patterns(self.recipe):
            if loop_steps % len(pattern):
                raise ValueError(f"{self.name}: pattern {pattern!r} does not divide {loop_steps} steps")

    @property
    def loop_seconds(self) -> float:
        """Nominal length of one pass through the progression (see `loop_frames` for the exact one)."""
        return 4 * 60.0 / self.bpm * len(self.progression)


def _patterns(recipe: Recipe) -> list[str]:
    out = []
    if recipe.bass:
        out.append(recipe.bass.pattern)
    if recipe.lead:
        out.append(recipe.lead.pattern)
    if recipe.drums:
        out += [recipe.drums.kick, recipe.drums.snare, recipe.drums.hat]
    return out


TRACKS: tuple[Track, ...] = (
    Track(
        name="Sunny Drive", category="Upbeat", bpm=112, key="C major",
        progression=("C", "G", "Am", "F"), seed=11,
        recipe=Recipe(
            pad=Pad(wave="saw", cutoff_hz=2000),
            bass=Bass(pattern="r--.r--.r-.r--o."),
            lead=Lead(voice="pluck", pattern="0.2.1.3.2.4.3.5.", echo=0.25),
            drums=Drums(kick="x.......x.x.....", snare="....x.......x...", hat="..x...x...x...x."),
        ),
    ),
    Track(
        name="Pocket Change", category="Upbeat", bpm=104, key="F major",
        progression=("F", "Dm", "Bb", "C"), seed=12,
        recipe=Recipe(
            pad=Pad(wave="sine", gain=0.2, cutoff_hz=2500),
            bass=Bass(pattern="r...r.f.r...o.f."),
            lead=Lead(voice="marimba", pattern="0.2.4.2.1.3.5.3.", decay_s=0.18, echo=0.2, gain=0.26),
            drums=Drums(kick="x.....x...x.....", snare="....x.......x...", hat="x.xxx.xxx.xxx.xx",
                        snare_kind="rim"),
            swing=0.15,
        ),
    ),
    Track(
        name="Lazy Sunday", category="Chill", bpm=84, key="A minor",
        progression=("Am7", "Fmaj7", "Cmaj7", "G"), seed=21,
        recipe=Recipe(
            pad=Pad(wave="sine", cutoff_hz=1400, attack_s=0.6, release_s=0.9, gain=0.16),
            bass=Bass(pattern="r-------f---r---", cutoff_hz=500),
            lead=Lead(voice="epiano", pattern="0..2..1.3..2..4.", decay_s=0.6, echo=0.3, gain=0.22),
            drums=Drums(kick="x.........x.....", snare="........x.......", hat="..x...x...x...xx",
                        snare_kind="rim", gain=0.35, enter_bar=4),
            swing=0.2,
        ),
    ),
    Track(
        name="Soft Focus", category="Chill", bpm=76, key="D major",
        progression=("Dmaj7", "Bm7", "Gmaj7", "Asus4"), seed=22,
        recipe=Recipe(
            pad=Pad(wave="saw", cutoff_hz=1100, voices=4, detune_cents=12, attack_s=0.8, release_s=1.0,
                    width=0.9, gain=0.26),
            bass=Bass(pattern="r---------------", cutoff_hz=400, gain=0.28),
            lead=Lead(voice="bell", pattern="4.......2...3...", decay_s=0.9, low_midi=67, echo=0.35,
                      gain=0.24),
        ),
    ),
    Track(
        name="Clear Horizon", category="Corporate", bpm=100, key="G major",
        progression=("G", "D", "Em", "C"), seed=31,
        recipe=Recipe(
            pad=Pad(wave="saw", cutoff_hz=1800),
            bass=Bass(pattern="r-r-r-r-r-r-r-f-"),
            lead=Lead(voice="pluck", pattern="0.1.2.1.3.1.2.1.", decay_s=0.22, echo=0.2),
            drums=Drums(kick="x.......x.......", snare="....x.......x...", hat="x.x.x.x.x.x.x.x.",
                        enter_bar=2),
        ),
    ),
    Track(
        name="Blueprint", category="Corporate", bpm=96, key="C major",
        progression=("Am", "F", "C", "G"), seed=32,
        recipe=Recipe(
            pad=Pad(wave="sine", cutoff_hz=2200, gain=0.2),
            bass=Bass(pattern="r---r---r---r-o-", wave="synth", cutoff_hz=600),
            lead=Lead(voice="epiano", pattern="0.2.1.2.3.2.1.2.", decay_s=0.4, echo=0.2, gain=0.15),
            drums=Drums(kick="x.....x.x.......", snare="....x.......x...", hat="..x...x...x...x.",
                        snare_kind="snare", gain=0.38),
        ),
    ),
    Track(
        name="Night Sprint", category="Energetic", bpm=126, key="E minor",
        progression=("Em", "C", "G", "D"), seed=41,
        recipe=Recipe(
            pad=Pad(wave="saw", cutoff_hz=2600, gain=0.2),
            bass=Bass(pattern="..r...r...r...r.", wave="synth", cutoff_hz=1100, gain=0.6),
            lead=Lead(voice="pluck", pattern="0123210123432101", decay_s=0.12, echo=0.2, gain=0.16),
            drums=Drums(kick="x...x...x...x...", snare="....x.......x...", hat="xxXxxxXxxxXxxxXx",
                        gain=0.4),
            pump=0.55,
        ),
    ),
    Track(
        name="Full Throttle", category="Energetic", bpm=128, key="F# minor",
        progression=("F#m", "D", "A", "E"), seed=42,
        recipe=Recipe(
            pad=Pad(wave="saw", cutoff_hz=3000, detune_cents=16, gain=0.18),
            bass=Bass(pattern="r-r.r-r.r-r.o-r.", wave="synth", cutoff_hz=900),
            lead=Lead(voice="bell", pattern="0.3.1.4.2.5.3.4.", decay_s=0.2, low_midi=66, echo=0.15,
                      gain=0.14),
            drums=Drums(kick="x...x...x...x..x", snare="....x.......x.x.", hat="..o...o...o...o.",
                        snare_kind="snare", gain=0.4),
            pump=0.4,
        ),
    ),
    Track(
        name="Rise Together", category="Inspiring", bpm=90, key="D major",
        progression=("D", "A", "Bm", "G"), seed=51,
        recipe=Recipe(
            pad=Pad(wave="saw", cutoff_hz=1600, voices=4, width=0.85, attack_s=0.5, gain=0.24),
            bass=Bass(pattern="r-------r---f---"),
            lead=Lead(voice="pluck", pattern="0.1.2.3.4.3.2.1.", decay_s=0.35, echo=0.3, gain=0.2),
            drums=Drums(kick="x.......x.......", snare="........x.......", hat="..x...x...x...x.",
                        snare_kind="clap", gain=0.4, enter_bar=4),
        ),
    ),
    Track(
        name="First Light", category="Inspiring", bpm=80, key="Eb major",
        progression=("Eb", "Bb", "Cm7", "Absus2"), seed=52,
        recipe=Recipe(
            pad=Pad(wave="sine", cutoff_hz=1800, attack_s=0.7, release_s=1.0, gain=0.16),
            bass=Bass(pattern="r-------o-------", cutoff_hz=500),
            lead=Lead(voice="epiano", pattern="0.1.2.3.4.3.2.1.", decay_s=0.7, low_midi=60, echo=0.25,
                      gain=0.15),
            drums=Drums(kick="x.........x.....", snare="........x.......", hat="..x...x...x...x.",
                        snare_kind="rim", gain=0.3, enter_bar=2),
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# Catalog lookups
# --------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    """'sunny-drive', 'Sunny Drive' and 'SUNNY_DRIVE' all name the same track."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def categories() -> tuple[str, ...]:
    """Category names in catalog order."""
    return tuple(dict.fromkeys(t.category for t in TRACKS))


def tracks(category: str | None = None) -> tuple[Track, ...]:
    """All tracks, or those of one category (case-insensitive)."""
    if category is None:
        return TRACKS
    found = tuple(t for t in TRACKS if _norm(t.category) == _norm(category))
    if not found:
        raise InputError(f"unknown music category {category!r}; choose one of: {', '.join(categories())}")
    return found


def get_track(id_or_name: str) -> Track:
    """Look a track up by id, by name (case-insensitive), or by category (its first track)."""
    key = _norm(id_or_name)
    for match in (
        lambda t: t.id == id_or_name.strip().lower(),
        lambda t: _norm(t.name) == key,
        lambda t: _norm(t.category) == key,
    ):
        found = [t for t in TRACKS if match(t)]
        if found:
            return found[0]
    names = ", ".join(t.name for t in TRACKS)
    raise InputError(
        f"unknown music track {id_or_name!r}; choose a name ({names}), "
        f"a category ({', '.join(categories())}) or a track id"
    )


def pick_track(seed: str, category: str | None = None) -> Track:
    """Choose a track deterministically from `seed` (e.g. a job id or product URL)."""
    candidates = tracks(category)
    # sha256, not hash(): Python salts str hashes per process.
    index = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % len(candidates)
    return candidates[index]


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def render_track(track: Track, seconds: float, out_wav: str | Path, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write `seconds` of `track` as a stereo 16-bit WAV (exactly round(seconds * rate) frames)."""
    audio = synthesize(track, seconds, sample_rate)
    pcm = np.round(audio * 32767.0).astype("<i2")
    out = Path(out_wav)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return out


def ensure_track(track: Track, seconds: float, cache_dir: str | Path, sample_rate: int = SAMPLE_RATE) -> Path:
    """Return `<cache_dir>/music/<id>-<seconds>.wav`, rendering it first if it is missing."""
    folder = Path(cache_dir) / "music"
    suffix = "" if sample_rate == SAMPLE_RATE else f"-{sample_rate}"
    path = folder / f"{track.id}-{seconds:g}{suffix}.wav"
    # Rendered beside the target and renamed: a crash or a concurrent worker never sees half a file.
    return make_once(path, partial(render_track, track, seconds, sample_rate=sample_rate))


def loop_frames(track: Track, sample_rate: int = SAMPLE_RATE) -> int:
    """Exact period of a render in samples: after the intro, the music repeats every this many frames."""
    return _Grid.of(track, sample_rate).length


def synthesize(track: Track, seconds: float, sample_rate: int = SAMPLE_RATE) -> Stereo:
    """The mix as float64 samples in [-1, 1], shape (round(seconds * rate), 2)."""
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise InputError(f"music length must be {MIN_SECONDS:g}-{MAX_SECONDS:g} s, got {seconds:g}")
    grid = _Grid.of(track, sample_rate)
    n = round(seconds * sample_rate)
    layers = _render_layers(grid, track)

    # Everything per-sample (saturation) is done on one loop, then tiled: the cost stays that of
    # one cycle whatever the length.
    full = sum(loop for loop, _ in layers)
    drive = 1.0 / max(float(np.max(np.abs(full))), 1e-9)
    mix = _tile(_saturate(full, drive), n)

    # An intro only makes sense when there is time for it: short beds start with every layer.
    if n >= 8 * grid.bar:
        intro = min(n, max(enter for _, enter in layers) * grid.bar + grid.sr // 50)
        if intro:
            head = sum(_tile(loop, intro) * _entry_gate(intro, enter * grid.bar, grid.sr)[:, None]
                       for loop, enter in layers)
            mix[:intro] = _saturate(head, drive)

    _apply_fades(mix, seconds, sample_rate)
    peak = float(np.max(np.abs(mix)))
    if peak > 0:
        mix *= 10 ** (PEAK_DBFS / 20) / peak
    return mix


def _render_layers(grid: _Grid, track: Track) -> list[tuple[Stereo, int]]:
    """One loop of each layer the recipe has, with the bar it enters at."""
    recipe = track.recipe
    pump = _pump_curve(grid, recipe)[:, None] if recipe.drums and recipe.pump else 1.0
    layers: list[tuple[Stereo, int]] = []
    if recipe.pad:
        layers.append((_render_pad(grid, track, recipe.pad) * pump, recipe.pad.enter_bar))
    if recipe.bass:
        layers.append((_render_bass(grid, track, recipe.bass) * pump, recipe.bass.enter_bar))
    if recipe.lead:
        layers.append((_render_lead(grid, track, recipe.lead), recipe.lead.enter_bar))
    if recipe.drums:
        layers.append((_render_drums(grid, track, recipe.drums), recipe.drums.enter_bar))
    return layers


@dataclass(frozen=True)
class _Grid:
    """The sample grid a track is rendered on: integer samples per step keep every layer aligned."""

    sr: int
    step: int  # samples per sixteenth note
    bars: int  # bars per loop

    @classmethod
    def of(cls, track: Track, sr: int) -> _Grid:
        # The step is rounded to a nearby number of samples with only small prime factors (tempo off
        # by < 1 %, inaudible) because the loop is filtered by FFT, and FFTs of lengths with a large
        # prime factor are ~10x slower.
        return cls(sr=sr, step=_smooth_near(sr * 60.0 / track.bpm / 4), bars=len(track.progression))

    @property
    def bar(self) -> int:
        return self.step * STEPS_PER_BAR

    @property
    def length(self) -> int:
        return self.bar * self.bars

    @property
    def steps(self) -> int:
        return STEPS_PER_BAR * self.bars

    def onset(self, step: int, swing: float) -> int:
        return step * self.step + (round(swing * self.step) if step % 2 else 0)


def _smooth_near(x: float) -> int:
    """The integer nearest to x whose prime factors are all at most 13."""

    def smooth(k: int) -> bool:
        for p in (2, 3, 5, 7, 11, 13):
            while k % p == 0:
                k //= p
        return k == 1

    centre = round(x)
    return next(c for d in range(centre) for c in (centre - d, centre + d) if smooth(c))


# --- oscillators and filters --------------------------------------------------------------------


def _saw(freq: float, n: int, sr: float, phase0: float) -> Mono:
    """Band-limited sawtooth (PolyBLEP): naive saws alias audibly at pad pitches."""
    dt = freq / sr
    t = phase0 + dt * np.arange(n)
    t -= np.floor(t)  # wrap to [0, 1); faster than % on floats
    y = 2.0 * t - 1.0
    lo = t < dt
    x = t[lo] / dt
    y[lo] -= x + x - x * x - 1.0
    hi = t > 1.0 - dt
    x = (t[hi] - 1.0) / dt
    y[hi] -= x * x + x + x + 1.0
    return y


def _sine(freq: float, n: int, sr: float, phase0: float = 0.0) -> Mono:
    return np.sin(2 * np.pi * (phase0 + freq * np.arange(n) / sr))


def _spectral_filter(x: np.ndarray, sr: float, low_hz: float | None = None, high_hz: float | None = None,
                     order: int = 2, out_len: int | None = None) -> np.ndarray:
    """Zero-phase Butterworth-shaped band filter applied by FFT along axis 0.

    FFT filtering is circular, which is exactly what a loop buffer needs (the tail of the last bar
    filters into the first), and it is vectorised, unlike a sample-by-sample IIR in Python.
    With `out_len` > len(x) the result is also upsampled (band-limited, by zero-padding the spectrum)."""
    n = x.shape[0]
    spec = np.fft.rfft(x, axis=0)
    f = np.fft.rfftfreq(n, 1 / sr)
    gain = np.ones_like(f)
    if high_hz:  # low-pass at high_hz
        gain /= np.sqrt(1 + (f / high_hz) ** (2 * order))
    if low_hz:  # high-pass at low_hz
        gain /= np.sqrt(1 + (low_hz / np.maximum(f, 1e-9)) ** (2 * order))
    spec *= gain if x.ndim == 1 else gain[:, None]
    m = out_len or n
    return np.fft.irfft(spec, n=m, axis=0) * (m / n)


def _pan(mono: Mono, pos: float) -> Stereo:
    """Equal-power pan, pos in [-1, 1]."""
    angle = (pos + 1) * np.pi / 4
    return np.stack([mono * np.cos(angle), mono * np.sin(angle)], axis=1)


def _add_wrapped(buf: np.ndarray, sound: np.ndarray, start: int) -> None:
    """Add `sound` into the circular `buf` at `start`; what runs past the end continues at 0."""
    pos, length = start % len(buf), len(buf)
    while len(sound):
        k = min(len(sound), length - pos)
        buf[pos:pos + k] += sound[:k]
        sound, pos = sound[k:], 0


def _tile(loop: Stereo, n: int) -> Stereo:
    """Repeat `loop` to n samples (bars stay aligned: the loop is whole bars)."""
    out = np.empty((n, *loop.shape[1:]))
    for start in range(0, n, len(loop)):
        k = min(len(loop), n - start)
        out[start:start + k] = loop[:k]
    return out


def _raised_cosine(n: int) -> Mono:
    return 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / max(n, 1))


# --- layers -----------------------------------------------------------------------------------


def _render_pad(grid: _Grid, track: Track, pad: Pad) -> Stereo:
    rng = np.random.default_rng([track.seed, 1])
    # Rendered at half rate: the pad is low-passed far below that Nyquist, and the FFT filter
    # resamples to full rate for free. Bars are 16 steps, so a bar is an even number of samples.
    sr, bar = grid.sr / 2, grid.bar // 2
    attack, release = int(pad.attack_s * sr), int(pad.release_s * sr)
    n = bar + release
    env = np.ones(n)
    env[:attack] = _raised_cosine(attack)
    env[bar:] = _raised_cosine(release)[::-1]
    detunes = np.linspace(-pad.detune_cents, pad.detune_cents, pad.voices) if pad.voices > 1 else [0.0]
    pans = np.linspace(-pad.width, pad.width, pad.voices) if pad.voices > 1 else [0.0]

    # One mono bus per detuned copy; each bus is panned once at the end.
    buses = np.zeros((len(pans), grid.length // 2))
    for b, chord in enumerate(track.progression):
        for midi in _voice(parse_chord(chord)[1], pad.low_midi):
            for bus, cents in zip(buses, detunes, strict=True):
                freq = _hz(midi + cents / 100)
                phase = rng.random()  # random start phases: in-phase copies would flange and click
                if pad.wave == "saw":
                    tone = _saw(freq, n, sr, phase)
                else:  # sine with a soft octave: rounder than a pure sine, still gentle
                    tone = _sine(freq, n, sr, phase) + 0.3 * _sine(2 * freq, n, sr, 2 * phase)
                _add_wrapped(bus, tone * env, b * bar)
    stereo = sum(_pan(bus, pan) for bus, pan in zip(buses, pans, strict=True))
    stereo /= np.sqrt(len(pans) * 3)  # copies are uncorrelated, so they add in power, not amplitude
    return pad.gain * _spectral_filter(stereo, sr, low_hz=80, high_hz=pad.cutoff_hz, out_len=grid.length)


def _render_bass(grid: _Grid, track: Track, bass: Bass) -> Stereo:
    sr = grid.sr
    pattern = bass.pattern
    offsets = {"r": 0, "f": 7, "o": 12}
    buf = np.zeros(grid.length)
    cache: dict[tuple[int, int], Mono] = {}
    for step in range(grid.steps):
        symbol = pattern[step % len(pattern)]
        if symbol not in offsets:
            continue
        holds = 0  # a note lasts through the `-` steps that follow it
        while holds + 1 < grid.steps and pattern[(step + holds + 1) % len(pattern)] == "-":
            holds += 1
        root = parse_chord(track.progression[step // STEPS_PER_BAR])[0]
        midi = _voice((root,), bass.low_midi)[0] + offsets[symbol]
        length = (holds + 1) * grid.step
        key = (midi, length)
        if key not in cache:
            cache[key] = _bass_note(_hz(midi), length, sr, bass.wave)
        _add_wrapped(buf, cache[key], grid.onset(step, track.recipe.swing))
    buf = _spectral_filter(buf, sr, low_hz=30, high_hz=bass.cutoff_hz)
    return bass.gain * 0.5 * _pan(buf, 0.0)  # 0.5: calibrates the bass against the other layers


def _bass_note(freq: float, length: int, sr: int, kind: str) -> Mono:
    tail = int(0.03 * sr)
    n = length + tail
    t = np.arange(n) / sr
    if kind == "synth":
        tone = _saw(freq, n, sr, 0.0) * 0.6 + _sine(freq, n, sr)
    else:
        # Harmonics 2 and 3 make the line audible on phone speakers that cannot play the fundamental.
        tone = _sine(freq, n, sr) + 0.35 * _sine(2 * freq, n, sr) + 0.12 * _sine(3 * freq, n, sr)
    env = 0.65 + 0.35 * np.exp(-t / 0.12)  # a little punch, then sustain
    env[: int(0.004 * sr)] *= _raised_cosine(int(0.004 * sr))
    env[length - tail // 2:] *= _raised_cosine(n - length + tail // 2)[::-1]  # release, no click
    return np.tanh(1.2 * tone * env) / np.tanh(1.2)


def _render_lead(grid: _Grid, track: Track, lead: Lead) -> Stereo:
    rng = np.random.default_rng([track.seed, 3])
    sr = grid.sr
    voice = _LEAD_VOICES[lead.voice]
    sides = np.zeros((2, grid.length))  # alternate notes go to a slightly-left and a slightly-right bus
    cache: dict[int, Mono] = {}
    hit = 0
    for step in range(grid.steps):
        symbol = lead.pattern[step % len(lead.pattern)]
        if not symbol.isdigit():
            continue
        pcs = parse_chord(track.progression[step // STEPS_PER_BAR])[1]
        tones = _voice(pcs, lead.low_midi)
        tones += [m + 12 for m in tones]
        midi = tones[int(symbol) % len(tones)]
        if midi not in cache:
            cache[midi] = voice(_hz(midi), lead.decay_s, sr)
        velocity = 0.85 + 0.15 * rng.random()  # slight humanisation
        _add_wrapped(sides[hit % 2], cache[midi] * velocity, grid.onset(step, track.recipe.swing))
        hit += 1
    dry = _pan(sides[0], -0.25) + _pan(sides[1], 0.25)
    # Ping-pong echo by rolling the circular buffer: echoes of the last notes land on the first.
    mono, d = sides.sum(axis=0), lead.echo_steps * grid.step
    wet = np.stack([0.6 * np.roll(mono, 2 * d), np.roll(mono, d) + 0.35 * np.roll(mono, 3 * d)], axis=1)
    wet = _spectral_filter(wet, sr, low_hz=200, high_hz=3500)  # darker echoes stay behind the dry
    return lead.gain * 2.0 * (dry + lead.echo * wet)  # 2.0: calibrates the lead against the others


def _note_env(n: int, sr: int, decay_s: float) -> tuple[Mono, Mono]:
    t = np.arange(n) / sr
    env = np.exp(-t / decay_s)
    attack = int(0.002 * sr)
    env[:attack] *= _raised_cosine(attack)
    end = int(0.02 * sr)
    env[-end:] *= _raised_cosine(end)[::-1]  # tails reach exactly zero: no click when cut
    return t, env


def _pluck(freq: float, decay_s: float, sr: int) -> Mono:
    """Additive pluck: upper harmonics die faster than the fundamental, like a plucked string."""
    n = int(min(5 * decay_s, 2.0) * sr)
    t, env = _note_env(n, sr, decay_s * 1.5)
    # Harmonic k decays as exp(-(1 + 0.8 (k - 1)) t / decay) and sin(k w t) follows the Chebyshev
    # recurrence, so each extra harmonic costs a few multiplies instead of a sin and an exp.
    theta = 2 * np.pi * freq * t
    prev, cur, twice_cos = np.zeros(n), np.sin(theta), 2 * np.cos(theta)
    fade, fade_step = np.exp(-t / decay_s), np.exp(-0.8 * t / decay_s)
    out = np.zeros(n)
    for k in range(1, 9):
        if k * freq >= 0.45 * sr:
            break
        out += cur * fade / k**1.3
        prev, cur = cur, twice_cos * cur - prev
        fade = fade * fade_step
    return 0.6 * out * env


def _epiano(freq: float, decay_s: float, sr: int) -> Mono:
    """Two-operator FM e-piano: a bright, fast-fading tine over a mellow body."""
    n = int(min(5 * decay_s, 2.5) * sr)
    t, env = _note_env(n, sr, decay_s)
    index = 1.4 * np.exp(-t / 0.15) + 0.15
    body = np.sin(2 * np.pi * freq * t + index * np.sin(2 * np.pi * freq * t))
    tine = 0.12 * np.sin(2 * np.pi * 7 * freq * t) * np.exp(-t / 0.03) if 7 * freq < 0.45 * sr else 0.0
    return 0.7 * (body + tine) * env


def _bell(freq: float, decay_s: float, sr: int) -> Mono:
    """FM with an inharmonic 3.5 ratio: the classic soft bell / glass tone."""
    n = int(min(5 * decay_s, 3.0) * sr)
    t, env = _note_env(n, sr, decay_s)
    index = 1.8 * np.exp(-t / (0.6 * decay_s))
    return 0.5 * np.sin(2 * np.pi * freq * t + index * np.sin(2 * np.pi * 3.5 * freq * t)) * env


def _marimba(freq: float, decay_s: float, sr: int) -> Mono:
    """Sine with a fast-fading fourth harmonic, the bar's characteristic overtone."""
    n = int(min(5 * decay_s, 1.5) * sr)
    t, env = _note_env(n, sr, decay_s)
    tone = np.sin(2 * np.pi * freq * t) + 0.4 * np.sin(2 * np.pi * 4 * freq * t) * np.exp(-t / 0.04)
    return 0.7 * tone * env


_LEAD_VOICES: dict[str, Callable[[float, float, int], Mono]] = {
    "pluck": _pluck,
    "epiano": _epiano,
    "bell": _bell,
    "marimba": _marimba,
}


def _render_drums(grid: _Grid, track: Track, drums: Drums) -> Stereo:
    rng = np.random.default_rng([track.seed, 4])
    sr = grid.sr
    kit = {
        "kick": _kick(sr),
        "snare": _SNARES[drums.snare_kind](sr, rng),
        "hat": _hat(sr, rng, 0.018),
        "open": _hat(sr, rng, 0.14),
    }
    level = {"kick": 1.0, "snare": 0.55, "hat": 0.18, "open": 0.16}
    pans = {"kick": 0.0, "snare": -0.1, "hat": 0.3, "open": -0.3}  # hats off-centre for width
    buses = {sound: np.zeros(grid.length) for sound in kit}
    for step in range(grid.steps):
        onset = grid.onset(step, track.recipe.swing)
        for part, pattern in (("kick", drums.kick), ("snare", drums.snare), ("hat", drums.hat)):
            symbol = pattern[step % len(pattern)]
            if symbol == ".":
                continue
            sound = "open" if symbol == "o" else part
            accent = 1.0 if symbol == "X" or part != "hat" else 0.7
            velocity = accent * (0.9 + 0.1 * rng.random())
            _add_wrapped(buses[sound], kit[sound] * (level[sound] * velocity), onset)
    return drums.gain * sum(_pan(bus, pans[sound]) for sound, bus in buses.items())


def _kick(sr: int) -> Mono:
    """Sine swept from ~155 Hz down to 45 Hz: the sweep is the punch, the tail the body."""
    t = np.arange(int(0.4 * sr)) / sr
    freq = 45 + 110 * np.exp(-t / 0.03)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    body = np.sin(phase) * np.exp(-t / 0.15)
    body[-int(0.02 * sr):] *= _raised_cosine(int(0.02 * sr))[::-1]
    return np.tanh(1.5 * body)


def _noise(sr: int, rng: np.random.Generator, seconds: float) -> Mono:
    return rng.standard_normal(int(seconds * sr))


def _hat(sr: int, rng: np.random.Generator, decay_s: float) -> Mono:
    hiss = _spectral_filter(_noise(sr, rng, 6 * decay_s + 0.01), sr, low_hz=7000, order=3)
    t = np.arange(len(hiss)) / sr
    return hiss / np.max(np.abs(hiss)) * np.exp(-t / decay_s) * _fade_tail(len(hiss), sr)


def _clap(sr: int, rng: np.random.Generator) -> Mono:
    """Three quick bursts then a short tail: several hands, not quite together."""
    hiss = _spectral_filter(_noise(sr, rng, 0.3), sr, low_hz=900, high_hz=3000)
    t = np.arange(len(hiss)) / sr
    env = sum(np.where(t >= d, np.exp(-(t - d) / 0.006), 0.0) for d in (0.0, 0.011, 0.022))
    env = env + np.where(t >= 0.022, 0.8 * np.exp(-(t - 0.022) / 0.08), 0.0)
    return hiss / np.max(np.abs(hiss)) * env * _fade_tail(len(hiss), sr)


def _snare(sr: int, rng: np.random.Generator) -> Mono:
    hiss = _spectral_filter(_noise(sr, rng, 0.3), sr, low_hz=1200, high_hz=8000)
    t = np.arange(len(hiss)) / sr
    rattle = hiss / np.max(np.abs(hiss)) * np.exp(-t / 0.07)
    shell = np.sin(2 * np.pi * 185 * t) * np.exp(-t / 0.05)
    return (0.7 * rattle + 0.6 * shell) * _fade_tail(len(hiss), sr)


def _rim(sr: int, rng: np.random.Generator) -> Mono:
    """Short woody click: two damped resonances plus a touch of noise."""
    t = np.arange(int(0.12 * sr)) / sr
    tone = np.sin(2 * np.pi * 520 * t) + 0.6 * np.sin(2 * np.pi * 1650 * t)
    click = _spectral_filter(_noise(sr, rng, 0.12), sr, low_hz=2000)[: len(t)]
    return (0.6 * tone + 0.15 * click) * np.exp(-t / 0.018) * _fade_tail(len(t), sr)


_SNARES: dict[str, Callable[[int, np.random.Generator], Mono]] = {
    "clap": _clap,
    "snare": _snare,
    "rim": _rim,
}


def _fade_tail(n: int, sr: int) -> Mono:
    out = np.ones(n)
    k = min(n, int(0.01 * sr))
    out[n - k:] = _raised_cosine(k)[::-1]
    return out


# --- arrangement and master ---------------------------------------------------------------------


def _pump_curve(grid: _Grid, recipe: Recipe) -> Mono:
    """Gain dips on every kick and recovers over ~150 ms: the 'breathing' of dance music."""
    assert recipe.drums is not None
    dip = recipe.pump * np.exp(-np.arange(int(0.6 * grid.sr)) / (0.12 * grid.sr))
    dip[: int(0.005 * grid.sr)] *= _raised_cosine(int(0.005 * grid.sr))  # no click on the duck
    duck = np.zeros(grid.length)
    kick = recipe.drums.kick
    for step in range(grid.steps):
        if kick[step % len(kick)] != ".":
            _add_wrapped(duck, dip, grid.onset(step, recipe.swing))
    return 1.0 - np.clip(duck, 0.0, recipe.pump)


def _entry_gate(n: int, start: int, sr: int) -> Mono:
    """0 before `start`, then a 20 ms ramp to 1 (a hard switch would click)."""
    gate = np.zeros(n)
    ramp = int(0.02 * sr)
    gate[start:start + ramp] = _raised_cosine(ramp)[: max(0, min(ramp, n - start))]
    gate[start + ramp:] = 1.0
    return gate


def _saturate(mix: Stereo, drive: float) -> Stereo:
    """Gentle tanh bus saturation: rounds off drum peaks so the bed is denser at the same peak."""
    return np.tanh(drive * mix)


def _apply_fades(mix: Stereo, seconds: float, sr: int) -> None:
    """1 s fade-in; fade-out of 1-2 s (a fifth of the length) ending at exact silence. In place."""
    n = len(mix)
    fade_in = min(sr, n // 3)
    fade_out = min(int(np.clip(0.2 * seconds, 1.0, 2.0) * sr), n // 2)
    mix[:fade_in] *= _raised_cosine(fade_in)[:, None]
    mix[n - fade_out:] *= _raised_cosine(fade_out + 1)[::-1][1:, None]  # the last sample is 0
