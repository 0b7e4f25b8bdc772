"""Running ffmpeg: long chatty runs must not deadlock on a full pipe; a crash gets one more run."""

from pathlib import Path

import pytest

from linkreel.errors import RenderError
from linkreel.media.ffmpeg import ffmpeg_exe, run


def test_chatty_stderr_with_progress_does_not_block() -> None:
    # showinfo logs every frame: it writes far more than a pipe buffer (64 KiB) to stderr while progress is read
    # from stdout: both pipes must be drained or ffmpeg blocks for ever.
    seen: list[float] = []
    err = run(ffmpeg_exe(), ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=100:duration=20",
                             "-vf", "showinfo", "-f", "null", "-"], progress=seen.append, total_ms=20_000)
    assert len(err.encode()) > 65_536
    assert seen and seen[-1] > 0.9


def _fake_ffmpeg(tmp_path: Path, body: str) -> str:
    exe = tmp_path / "ffmpeg"
    exe.write_text(f"#!/bin/sh\n{body}\n")
    exe.chmod(0o755)
    return str(exe)


def test_a_crashed_ffmpeg_runs_once_more(tmp_path: Path) -> None:
    """A segfault (the static build was seen to crash once under load) gets one more run."""
    marker = tmp_path / "crashed-once"
    exe = _fake_ffmpeg(tmp_path, f'if [ ! -e {marker} ]; then touch {marker}; kill -SEGV $$; fi\necho done >&2')
    assert run(exe, ["-i", "x"]).strip() == "done" and marker.exists()


def test_a_stopped_or_failing_ffmpeg_is_not_run_again(tmp_path: Path) -> None:
    count = tmp_path / "runs"
    for body in (f"echo x >> {count}; kill -KILL $$", f"echo x >> {count}; echo 'Invalid data found' >&2; exit 1",
                 f"echo x >> {count}; kill -SEGV $$"):
        count.unlink(missing_ok=True)
        with pytest.raises(RenderError) as failure:
            run(_fake_ffmpeg(tmp_path, body), ["-i", "x"])
        runs = count.read_text().count("x")
        assert runs == (2 if "SEGV" in body else 1), (body, runs)  # a second segfault is reported
        assert str(failure.value).startswith("rendering failed")
