"""Running ffmpeg: which binary, with progress, and errors a user can read."""

import logging
import os
import shutil
import signal
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


# Signals of an ffmpeg that crashed by itself (not one we or the OS stopped). The static build has
# been seen to segfault once in a busy run (photo presenter, load ~10) and pass when run again.
CRASHES = (-signal.SIGSEGV, -signal.SIGBUS)


def run(exe: str, args: Sequence[str], cwd: Path | None = None,
        progress: Callable[[float], None] | None = None, total_ms: int | None = None) -> str:
    """Run ffmpeg; returns stderr. `progress(fraction)` is called as output time advances.
    An ffmpeg that crashes (CRASHES) is run once more before the failure is reported."""
    try:
        return _run_once(exe, args, cwd, progress, total_ms)
    except _Crashed as crash:
        log.warning("ffmpeg crashed (signal %s): %s; running it once more", -crash.returncode, crash.tail)
        return _run_once(exe, args, cwd, progress, total_ms, retry=False)


class _Crashed(Exception):
    def __init__(self, returncode: int, tail: str) -> None:
        super().__init__(returncode)
        self.returncode, self.tail = returncode, tail


def _run_once(exe: str, args: Sequence[str], cwd: Path | None, progress: Callable[[float], None] | None,
              total_ms: int | None, retry: bool = True) -> str:
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
    if retry and proc.returncode in CRASHES:
        raise _Crashed(proc.returncode, _tail(err, 12))
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
