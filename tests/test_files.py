"""Files made once in a shared cache, and the sweep of temp files left by processes killed mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from linkreel.files import make_once, sweep_orphans
from linkreel.media.music import SAMPLE_RATE, TRACKS, ensure_track


def test_a_writer_killed_mid_write_leaves_a_temp_file_the_sweep_removes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    # A real process starts a music bed in the cache and is SIGKILLed while it writes.
    script = ("import sys, time\nfrom pathlib import Path\nfrom linkreel.files import make_once\n"
              "make_once(Path(sys.argv[1]), lambda tmp: (tmp.write_bytes(b'half'), print('writing', flush=True),"
              " time.sleep(60)))\n")
    target = cache / "music" / "bed-15.wav"
    writer = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
    busy = make_once(cache / "music" / "other.wav", lambda tmp: None)  # a finished file is never touched
    (ours,) = [p for p in (cache / "music").iterdir() if p.name.startswith(".bed-15-")]
    assert sweep_orphans(cache) == []  # its writer still runs: left alone
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert sweep_orphans(cache) == [ours] and not ours.exists() and busy.exists() and not target.exists()


def test_music_beds_are_made_once_and_whole(tmp_path: Path) -> None:
    track = TRACKS[0]
    first = ensure_track(track, 2, tmp_path)
    stamp = first.stat().st_mtime_ns
    time.sleep(0.01)
    assert ensure_track(track, 2, tmp_path) == first and first.stat().st_mtime_ns == stamp
    assert first.stat().st_size == 44 + 2 * 2 * 2 * SAMPLE_RATE  # 2 s of 16-bit stereo, whole
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temp file left
