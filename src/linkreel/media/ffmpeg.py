"""Running ffmpeg: which binary, with progress, and errors a user can read."""

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from linkreel.errors import RenderError

log = logging.getLogger("linkreel.ffmpeg")


def ffmpeg_exe(configured: str | None = None) -> str:
    """`LINKREEL_FFMPEG` if set, else the imageio-ffmpeg wheel's static build (libx264 + libass)."""
    if configured:
        found = shutil.which(configured) or (configured if os.path.exists(configured) else None)
        if not found:
            raise RenderError(f"ffmpeg not found at {configured!r} (LINKREEL_FFMPEG)")
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _tail(text: str, lines: int = 6) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])


def run(exe: str, args: Sequence[str], cwd: Path | None = None,
        progress: Callable[[float], None] | None = None, total_ms: int | None = None) -> str:
    """Run ffmpeg; returns stderr. `progress(fraction)` is called as output time advances."""
    cmd = [exe, "-hide_banner", "-nostdin", "-y"]
    if progress and total_ms:
        cmd += ["-progress", "pipe:1", "-nostats"]
    cmd += list(args)
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace")
    # Both pipes are drained at once: a full stderr pipe (libass and filter warnings on a long
    # render) would otherwise block ffmpeg while we wait on stdout, and hang the job for ever.
    err_lines: list[str] = []
    drain = threading.Thread(target=lambda: err_lines.extend(proc.stderr or ()), daemon=True)
    drain.start()
    for line in proc.stdout or ():
        if progress and total_ms and line.startswith("out_time_us="):
            value = line.split("=", 1)[1].strip()
            if value.isdigit():
                progress(min(1.0, int(value) / 1000 / total_ms))
    proc.wait()
    drain.join()
    err = "".join(err_lines)
    if proc.returncode != 0:
        log.warning("ffmpeg failed (%s): %s", proc.returncode, _tail(err, 12))
        raise RenderError(plain_failure(proc.returncode, err))
    return err


def plain_failure(returncode: int, stderr: str) -> str:
    """What a user is told about a failed ffmpeg run (the details go to the log)."""
    if "No space left on device" in stderr:
        return "rendering failed: the server ran out of disk space"
    if returncode < 0:
        return f"rendering failed: the encoder was stopped (signal {-returncode})"
    last = next((line.strip() for line in reversed(stderr.strip().splitlines()) if line.strip()), "")
    return f"rendering failed: {last[:200]}" if last else f"rendering failed: the encoder exited with {returncode}"
