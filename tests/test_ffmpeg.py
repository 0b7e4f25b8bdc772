"""Running ffmpeg: long chatty runs must not deadlock on a full pipe."""

from linkreel.media.ffmpeg import ffmpeg_exe, run


def test_chatty_stderr_with_progress_does_not_block() -> None:
    # showinfo logs every frame: it writes far more than a pipe buffer (64 KiB) to stderr while progress is read
    # from stdout: both pipes must be drained or ffmpeg blocks for ever.
    seen: list[float] = []
    err = run(ffmpeg_exe(), ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=100:duration=20",
                             "-vf", "showinfo", "-f", "null", "-"], progress=seen.append, total_ms=20_000)
    assert len(err.encode()) > 65_536
    assert seen and seen[-1] > 0.9
