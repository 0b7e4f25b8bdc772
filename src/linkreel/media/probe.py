"""Facts about a rendered file from ffmpeg itself (the wheel ships no ffprobe)."""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from linkreel.media.ffmpeg import ffmpeg_exe


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float
    video_codec: str | None
    width: int | None
    height: int | None
    fps: float | None
    pix_fmt: str | None
    audio_codec: str | None
    sample_rate: int | None
    channels: str | None


def probe(path: str | Path, exe: str | None = None) -> MediaInfo:
    err = subprocess.run([exe or ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                         text=True, errors="replace").stderr
    dur = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", err)
    if not dur:
        raise ValueError(f"not a media file: {path}")
    h, m, s = dur.groups()
    video = re.search(r"Stream #\S+.*?: Video: (\w+).*?, (\w+)(?:\([^)]*\))?, (\d+)x(\d+)", err)
    fps = re.search(r"(\d+(?:\.\d+)?) fps", err)
    audio = re.search(r"Stream #\S+.*?: Audio: (\w+).*?, (\d+) Hz, ([\w.]+)", err)
    return MediaInfo(
        duration_s=int(h) * 3600 + int(m) * 60 + float(s),
        video_codec=video.group(1) if video else None,
        pix_fmt=video.group(2) if video else None,
        width=int(video.group(3)) if video else None,
        height=int(video.group(4)) if video else None,
        fps=float(fps.group(1)) if fps else None,
        audio_codec=audio.group(1) if audio else None,
        sample_rate=int(audio.group(2)) if audio else None,
        channels=audio.group(3) if audio else None,
    )


def integrated_loudness(path: str | Path, exe: str | None = None) -> float:
    """EBU R128 integrated loudness (LUFS) of the file's audio."""
    err = subprocess.run([exe or ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
                          "-af", "ebur128=framelog=quiet", "-f", "null", "-"],
                         capture_output=True, text=True, errors="replace").stderr
    found = re.findall(r"I:\s+(-?\d+(?:\.\d+)?) LUFS", err)
    if not found:
        raise ValueError(f"no loudness measured for {path}")
    return float(found[-1])


def stream_durations(path: str | Path) -> dict[str, float]:
    """Seconds each track of an MP4/MOV plays for ("video", "audio"), from its track header.

    ffmpeg without ffprobe prints only the container's duration; the track headers hold each
    stream's own (edit lists applied, so AAC priming is not counted)."""
    data = _moov(Path(path))
    moov = (0, len(data))
    mvhd = _child(data, *moov, b"mvhd")
    if mvhd is None:
        raise ValueError(f"no movie header in {path}")
    version = data[mvhd[0]]
    scale = int.from_bytes(data[mvhd[0] + (20 if version else 12):][:4], "big")
    out: dict[str, float] = {}
    for trak in _children(data, *moov, b"trak"):
        tkhd, mdia = _child(data, *trak, b"tkhd"), _child(data, *trak, b"mdia")
        hdlr = _child(data, *mdia, b"hdlr") if mdia else None
        if tkhd is None or hdlr is None:
            continue
        kind = {b"vide": "video", b"soun": "audio"}.get(data[hdlr[0] + 8:hdlr[0] + 12])
        version = data[tkhd[0]]
        at, size = (tkhd[0] + 28, 8) if version else (tkhd[0] + 20, 4)
        if kind and kind not in out and scale:
            out[kind] = int.from_bytes(data[at:at + size], "big") / scale
    return out


def _moov(path: Path) -> bytes:
    """The movie box's payload, read alone (the media data around it can be large)."""
    with path.open("rb") as f:
        while head := f.read(8):
            if len(head) < 8:
                break
            size, kind = int.from_bytes(head[:4], "big"), head[4:]
            skip = 8
            if size == 1:
                size, skip = int.from_bytes(f.read(8), "big"), 16
            if kind == b"moov":
                return f.read(size - skip if size else -1)
            if size == 0 or size < skip:
                break
            f.seek(size - skip, 1)
    raise ValueError(f"not an MP4 file: {path}")


def _children(data: bytes, start: int, end: int, kind: bytes) -> list[tuple[int, int]]:
    """(payload start, end) of the boxes of one type directly inside data[start:end]."""
    found = []
    while start + 8 <= end:
        size = int.from_bytes(data[start:start + 4], "big")
        head = 8
        if size == 1:
            size, head = int.from_bytes(data[start + 8:start + 16], "big"), 16
        elif size == 0:
            size = end - start
        if size < head:
            break
        if data[start + 4:start + 8] == kind:
            found.append((start + head, start + size))
        start += size
    return found


def _child(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    found = _children(data, start, end, kind)
    return found[0] if found else None
