"""The quality report of a rendered ad: measured on the file itself, each check `pass` or `warn`.

One ffmpeg pass decodes the file once and runs every measuring filter side by side: `ebur128`
(integrated loudness, loudness range, true peak) on the audio; `blackdetect` and `freezedetect`
on the picture; and a `select` branch that hands a few frames (at caption times) to Python for
the contrast check. Stream durations come from the MP4's track headers (probe.py). Caption
placement and timing come from the same geometry `captions.to_ass` drew them with.

What the timeline meant is taken into account: a still or the end card holding on purpose is
not a "frozen" stretch. A `warn` is advice for a person; it never fails a job.
"""

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel

from linkreel.media.captions import LineBlock, line_blocks, track_look
from linkreel.media.probe import probe, stream_durations
from linkreel.media.timeline import SIZES, EndCardClip, ImageClip, TextPlateClip, Timeline, VideoClip

Status = Literal["pass", "warn", "skipped"]

DURATION_TOLERANCE_S = 0.5
LOUDNESS_TOLERANCE_LU = 1.0
MAX_LOUDNESS_RANGE_LU = 15.0  # wider swings and the quiet parts drown on a phone speaker
MAX_TRUE_PEAK_DBTP = -1.0  # headroom for the platforms' own lossy re-encode
BLACK_MIN_S = 0.5
FREEZE_MIN_S = 2.0
MIN_LINE_S = 0.3  # a word group shown for less cannot be read
MIN_CONTRAST = 3.0  # WCAG 2 contrast for large text; captions are large
MIN_PRODUCT_SHARE = 0.5
SAMPLE_WIDTH = 360  # frames for the contrast check are scaled to this width: enough for mean luminance
MAX_SAMPLES = 6
MAX_CER = 0.15  # character error rate of the voice as Whisper base hears it, against the script
ASR_UNJUDGED = {"hi", "ta"}  # Whisper base itself is too weak in these to judge a voice by
SAMPLE_GAP_S = 0.25  # > the widest gap between decoded frames (x264 uses at most 3 B-frames in a row: 0.13 s)


class Check(BaseModel):
    name: str
    status: Status
    value: int | float | str | None
    target: str
    detail: str = ""


class QualityReport(BaseModel):
    status: Literal["pass", "warn"]  # "warn" when any check warns
    checks: list[Check]
    seconds: float  # what the report cost to make

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)


@dataclass(frozen=True)
class Measured:
    """What the ffmpeg pass printed and returned."""

    integrated: float | None
    loudness_range: float | None
    true_peak: float | None
    black: list[tuple[float, float]]
    frozen: list[tuple[float, float]]
    frames: list[np.ndarray]  # RGB, SAMPLE_WIDTH wide, one per sample time (fewer if the file ends first)


def quality_report(output: Path, timeline: Timeline, aspect: str, ffmpeg: str, expected_s: float,
                   speech: Check | None = None) -> QualityReport:
    """Check `output` (rendered from `timeline` in `aspect`) against what an ad should be.

    `speech`: the intelligibility check, made from the voice track alone while the video rendered
    (`speech_check`); None when LINKREEL_QA_ASR is off."""
    started = time.monotonic()
    info = probe(output, ffmpeg)
    captions = timeline.captions
    blocks = line_blocks(captions, aspect, timeline.language) if captions and captions.lines else []
    samples = _sample_lines(blocks)
    sample_times = [(b.start_ms + b.end_ms) / 2000 for b in samples]
    width, height = info.width or SIZES[aspect][0], info.height or SIZES[aspect][1]
    sample_size = (SAMPLE_WIDTH, max(2, round(SAMPLE_WIDTH * height / width / 2) * 2))
    measured = _measure(output, ffmpeg, info.audio_codec is not None, sample_times, sample_size)
    checks = [
        *_duration_checks(output, info.duration_s, expected_s, timeline.fps),
        *_loudness_checks(measured, timeline.loudness_lufs),
        _black_check(measured.black),
        _freeze_check(measured.frozen, _holds(timeline), info.duration_s),
        *_caption_checks(timeline, aspect, blocks, samples, measured.frames),
        _product_share_check(timeline),
        speech or Check(name="speech_intelligibility", status="skipped", value=None, target=f"CER ≤ {MAX_CER}",
                        detail="LINKREEL_QA_ASR is off"),
    ]
    status = "warn" if any(c.status == "warn" for c in checks) else "pass"
    return QualityReport(status=status, checks=checks, seconds=round(time.monotonic() - started, 2))


def speech_check(voice_wav: Path, spoken: str, language: str, cache_dir: Path) -> Check:
    """Whisper base transcribes the voice track; its character error rate against what was meant to be said.

    Runs on the voice alone (no music under it), so it can start as soon as the voice exists and run
    beside the render. Any failure is a skipped check with the reason, never a failed job."""
    from linkreel.voice import asr
    from linkreel.voice.normalize import normalize_for_speech

    target = f"CER ≤ {MAX_CER}"
    if not asr.available():
        return Check(name="speech_intelligibility", status="skipped", value=None, target=target,
                     detail=f"Whisper is not installed: {asr.INSTALL_HINT}")
    try:
        heard = asr.transcribe(voice_wav, language, cache_dir)
    except Exception as e:  # noqa: BLE001 - the report advises; a broken model must not fail the job
        return Check(name="speech_intelligibility", status="skipped", value=None, target=target,
                     detail=f"transcription failed: {type(e).__name__}: {e}")
    error = round(asr.cer(spoken, normalize_for_speech(heard.text, language), language), 3)
    if language in ASR_UNJUDGED:
        return Check(name="speech_intelligibility", status="skipped", value=error, target=target,
                     detail=f"Whisper base is too weak in {language} to judge; heard: {heard.text[:200]}")
    return Check(name="speech_intelligibility", status="pass" if error <= MAX_CER else "warn", value=error,
                 target=target, detail=f"heard: {heard.text[:300]}")


# --- the measuring pass --------------------------------------------------------------------------

def _measure(output: Path, ffmpeg: str, has_audio: bool, sample_times: list[float],
             sample_size: tuple[int, int]) -> Measured:
    graph = ["[0:v]split=2[vd][vs]" if sample_times else "[0:v]null[vd]",
             f"[vd]blackdetect=d={BLACK_MIN_S}:pix_th=0.10,freezedetect=n=-60dB:d={FREEZE_MIN_S}[v]"]
    maps = ["-map", "[v]"]
    if has_audio:
        graph.append("[0:a]ebur128=peak=true:framelog=quiet[a]")
        maps += ["-map", "[a]"]
    # Decoding is most of the cost. B-frames are skipped (and deblocking), so about a third of the
    # frames are decoded: still a picture every few frames, plenty to find black or frozen stretches
    # of half a second or more, and mean luminance for contrast does not need the deblocked picture.
    args = [ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-skip_frame:v", "bidir", "-skip_loop_filter:v", "all",
            "-i", str(output)]
    if sample_times:
        # The first decoded frame at or after each sample time (frame numbers would count skipped frames).
        pick = "+".join(f"gte(t,{t:.3f})*lt(prev_t,{t:.3f})" for t in sample_times)
        graph.append(f"[vs]select='{pick}',scale={sample_size[0]}:{sample_size[1]},format=rgb24[s]")
    args += ["-filter_complex", ";".join(graph), *maps, "-f", "null", "-"]
    if sample_times:
        args += ["-map", "[s]", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    proc = subprocess.run(args, capture_output=True)
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise ValueError(f"could not measure {output}: {err.strip().splitlines()[-1:]}")
    return Measured(
        integrated=_last_number(r"I:\s+(-?[\d.]+|-inf) LUFS", err),
        loudness_range=_last_number(r"LRA:\s+(-?[\d.]+|-inf) LU\b", err),
        true_peak=_last_number(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", err),
        black=[(float(a), float(b)) for a, b in re.findall(r"black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)", err)],
        frozen=_freezes(err),
        frames=_frames(proc.stdout, sample_size),
    )


def _last_number(pattern: str, text: str) -> float | None:
    found = re.findall(pattern, text)
    return float(found[-1]) if found else None


def _freezes(err: str) -> list[tuple[float, float]]:
    """(start, end) of each frozen stretch; a freeze running to the end has no end line (None → inf)."""
    starts = [float(v) for v in re.findall(r"freeze_start:\s*([\d.]+)", err)]
    ends = [float(v) for v in re.findall(r"freeze_end:\s*([\d.]+)", err)]
    return [(s, ends[i] if i < len(ends) else float("inf")) for i, s in enumerate(starts)]


def _frames(raw: bytes, size: tuple[int, int]) -> list[np.ndarray]:
    """The sampled frames in time order; a file shorter than its timeline returns only the first ones."""
    width, height = size
    per = width * height * 3
    return [np.frombuffer(raw[i * per:(i + 1) * per], np.uint8).reshape(height, width, 3)
            for i in range(len(raw) // per)]


# --- the checks ----------------------------------------------------------------------------------

def _grade(ok: bool) -> Status:
    return "pass" if ok else "warn"


def _duration_checks(output: Path, duration: float, expected: float, fps: int) -> list[Check]:
    streams = stream_durations(output)
    checks = [Check(name="duration", status=_grade(abs(duration - expected) <= DURATION_TOLERANCE_S),
                    value=round(duration, 3), target=f"{expected:g} s ± {DURATION_TOLERANCE_S} s")]
    video, audio = streams.get("video"), streams.get("audio")
    if video is None or audio is None:
        checks.append(Check(name="av_sync", status="warn", value=None, target="audio and video within one frame",
                            detail=f"missing stream: {'video' if video is None else 'audio'}"))
    else:
        gap = abs(video - audio)
        checks.append(Check(name="av_sync", status=_grade(gap <= 1 / fps + 1e-3), value=round(gap, 3),
                            target=f"≤ {1 / fps:.3f} s (one frame)",
                            detail=f"video {video:.3f} s, audio {audio:.3f} s"))
    return checks


def _loudness_checks(m: Measured, target: float) -> list[Check]:
    if m.integrated is None:
        return [Check(name="loudness", status="warn", value=None, target=f"{target:g} LUFS", detail="no audio")]
    return [
        Check(name="loudness", status=_grade(abs(m.integrated - target) <= LOUDNESS_TOLERANCE_LU),
              value=m.integrated, target=f"{target:g} LUFS ± {LOUDNESS_TOLERANCE_LU:g} LU",
              detail="silent" if m.integrated <= -69 else ""),
        Check(name="loudness_range", status=_grade(m.loudness_range is not None
                                                   and m.loudness_range <= MAX_LOUDNESS_RANGE_LU),
              value=m.loudness_range, target=f"≤ {MAX_LOUDNESS_RANGE_LU:g} LU"),
        Check(name="true_peak", status=_grade(m.true_peak is not None and m.true_peak <= MAX_TRUE_PEAK_DBTP),
              value=m.true_peak, target=f"≤ {MAX_TRUE_PEAK_DBTP:g} dBTP"),
    ]


def _black_check(black: list[tuple[float, float]]) -> Check:
    total = sum(b - a for a, b in black)
    return Check(name="black_frames", status=_grade(not black), value=round(total, 2),
                 target=f"no black stretch ≥ {BLACK_MIN_S} s",
                 detail=", ".join(f"{a:.2f}–{b:.2f} s" for a, b in black))


def _holds(timeline: Timeline) -> list[tuple[float, float]]:
    """Where the picture may stand still on purpose: the end card, and stills without motion."""
    out = []
    for clip in timeline.visuals:
        m = clip.motion
        still = m.zoom_from == m.zoom_to and m.pan_from == m.pan_to and not isinstance(clip, VideoClip)
        if isinstance(clip, EndCardClip) or still:
            out.append((clip.start_ms / 1000, clip.end_ms / 1000))
    return out


def _freeze_check(frozen: list[tuple[float, float]], holds: list[tuple[float, float]], duration: float) -> Check:
    unintended = []
    for start, end in frozen:
        for piece in _subtract((start, min(end, duration)), holds):
            if piece[1] - piece[0] >= FREEZE_MIN_S:
                unintended.append(piece)
    return Check(name="frozen_frames", status=_grade(not unintended),
                 value=round(sum(b - a for a, b in unintended), 2),
                 target=f"no frozen stretch ≥ {FREEZE_MIN_S:g} s outside intended holds",
                 detail=", ".join(f"{a:.2f}–{b:.2f} s" for a, b in unintended))


def _subtract(span: tuple[float, float], cuts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    pieces = [span]
    for c0, c1 in cuts:
        pieces = [p for a, b in pieces for p in ((a, min(b, c0)), (max(a, c1), b)) if p[1] > p[0]]
    return pieces


def _sample_lines(blocks: list[LineBlock]) -> list[LineBlock]:
    """A few lines spread over the ad, for the contrast check (one frame each, at the line's middle).

    Middles closer than SAMPLE_GAP_S could fall between the same two decoded frames, and frames are
    paired with lines in order, so such a line is left out."""
    if len(blocks) > MAX_SAMPLES:
        step = (len(blocks) - 1) / (MAX_SAMPLES - 1)
        blocks = [blocks[round(i * step)] for i in range(MAX_SAMPLES)]
    out: list[LineBlock] = []
    for b in blocks:
        if not out or (b.start_ms + b.end_ms) - (out[-1].start_ms + out[-1].end_ms) >= 2000 * SAMPLE_GAP_S:
            out.append(b)
    return out


def _caption_checks(timeline: Timeline, aspect: str, blocks: list[LineBlock], samples: list[LineBlock],
                    frames: list[np.ndarray]) -> list[Check]:
    if not blocks or timeline.captions is None:
        return [Check(name=name, status="skipped", value=None, target="", detail="no captions")
                for name in ("caption_safe_area", "caption_time", "caption_contrast")]
    outside = [b for b in blocks if not _inside(b.box, b.safe)]
    shortest = min(blocks, key=lambda b: b.end_ms - b.start_ms)
    sx, sy, sw, sh = blocks[0].safe
    checks = [
        Check(name="caption_safe_area", status=_grade(not outside), value=len(outside),
              target=f"every line inside the safe area x {sx}–{sx + sw}, y {sy}–{sy + sh} px",
              detail="; ".join(f"{b.start_ms / 1000:.2f} s at ({b.box[0]:.0f}, {b.box[1]:.0f})–({b.box[2]:.0f}, "
                               f"{b.box[3]:.0f})" for b in outside[:3])),
        Check(name="caption_time", status=_grade(shortest.end_ms - shortest.start_ms >= MIN_LINE_S * 1000),
              value=round((shortest.end_ms - shortest.start_ms) / 1000, 3), target=f"every line ≥ {MIN_LINE_S} s",
              detail=f"shortest at {shortest.start_ms / 1000:.2f} s"),
    ]
    checks.append(_contrast_check(timeline, aspect, samples, frames))
    return checks


def _inside(box: tuple[float, float, float, float], safe: tuple[int, int, int, int]) -> bool:
    sx, sy, sw, sh = safe
    slack = 1.0  # rounding of positions in the ASS file
    return box[0] >= sx - slack and box[1] >= sy - slack and box[2] <= sx + sw + slack and box[3] <= sy + sh + slack


def _luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB values 0..255."""
    c = np.asarray(rgb, dtype=np.float64) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722


def _contrast(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def _contrast_check(timeline: Timeline, aspect: str, samples: list[LineBlock], frames: list[np.ndarray]) -> Check:
    """Caption text colours (plain and the spoken word's) against what they sit on: the look's own opaque
    box, else the picture around the line in a rendered frame (an opaque outline counts as a backing too)."""
    assert timeline.captions is not None
    look = track_look(timeline.captions)
    highlight = look.highlight[:3] if look.highlight else timeline.accent
    if look.effect == "box":  # the spoken word sits on a highlight-coloured box in the text colour
        highlight = look.text[:3]
    colours = {float(_luminance(np.array(c))) for c in (look.text[:3], highlight)}
    target = f"≥ {MIN_CONTRAST:g}:1 (text vs backing)"
    if look.box and look.box[3] >= 200:
        box = float(_luminance(np.array(look.box[:3])))
        ratio = min(_contrast(c, box) for c in colours)
        return Check(name="caption_contrast", status=_grade(ratio >= MIN_CONTRAST), value=round(ratio, 2),
                     target=target, detail="text on its own box")
    if not frames:
        return Check(name="caption_contrast", status="warn", value=None, target=target, detail="no frame sampled")
    outline = float(_luminance(np.array(look.outline[:3]))) if look.outline_px >= 2 and look.outline[3] >= 128 else None
    width, _ = SIZES[aspect]
    worst: tuple[float, float, float] | None = None  # (ratio, seconds, picture luminance)
    for block, frame in zip(samples, frames, strict=False):
        picture = _surround(frame, block.box, frame.shape[1] / width)
        if picture is None:
            continue
        for colour in colours:
            ratio = _contrast(colour, picture)
            if outline is not None:
                ratio = max(ratio, _contrast(colour, outline))
            if worst is None or ratio < worst[0]:
                worst = (ratio, block.start_ms / 1000, picture)
    if worst is None:
        return Check(name="caption_contrast", status="warn", value=None, target=target, detail="no picture sampled")
    ratio, at, picture = worst
    return Check(name="caption_contrast", status=_grade(ratio >= MIN_CONTRAST), value=round(ratio, 2), target=target,
                 detail=f"lowest at {at:.2f} s: picture around the line has luminance {picture:.2f}"
                        + (", text outlined" if outline is not None else ""))


def _surround(frame: np.ndarray, box: tuple[float, float, float, float], scale: float) -> float | None:
    """Mean luminance of a band around the caption block: the picture the line is read against
    (inside the block the caption's own pixels would be measured)."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = (round(v * scale) for v in box)
    pad = max(4, round(0.03 * w))
    ox0, oy0, ox1, oy1 = max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)
    if ox1 <= ox0 or oy1 <= oy0:
        return None
    mask = np.ones((oy1 - oy0, ox1 - ox0), bool)
    ix0, iy0, ix1, iy1 = max(x0, ox0) - ox0, max(y0, oy0) - oy0, min(x1, ox1) - ox0, min(y1, oy1) - oy0
    if ix1 > ix0 and iy1 > iy0:
        mask[iy0:iy1, ix0:ix1] = False
    if not mask.any():
        return None
    return float(_luminance(frame[oy0:oy1, ox0:ox1][mask]).mean())


def _product_share_check(timeline: Timeline) -> Check:
    """Screen time showing the product's own photos or page videos (stock b-roll and plain cards don't)."""
    spans = []
    for clip in timeline.visuals:
        own = (isinstance(clip, ImageClip)
               # stock clips are saved as stock-N.mp4 (media/broll.py); other clips came from the page
               or (isinstance(clip, VideoClip) and not Path(clip.src).name.startswith("stock-"))
               or (isinstance(clip, TextPlateClip | EndCardClip) and clip.src is not None))
        if own:
            spans.append((clip.start_ms, clip.end_ms))
    covered, reach = 0, 0
    for start, end in sorted(spans):
        start = max(start, reach)
        if end > start:
            covered += end - start
            reach = end
    share = covered / timeline.duration_ms if timeline.duration_ms else 0.0
    return Check(name="product_share", status=_grade(share >= MIN_PRODUCT_SHARE), value=round(share, 3),
                 target=f"≥ {MIN_PRODUCT_SHARE:.0%} of screen time")
