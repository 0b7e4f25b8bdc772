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
