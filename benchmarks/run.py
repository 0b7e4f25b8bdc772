"""`make bench`: a 30 s 9:16 ad, ours vs the MoviePy peer on the same inputs, in one run.

Prints per-stage seconds for our pipeline (fresh work dir: nothing cached), the peer's seconds
for the same photos, voice, music and caption lines, a pure x264 encode of our output frames
(same preset and CRF), and the ratios. Speed lives here, not in tests.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import EXAMPLES, serve_dir  # noqa: E402

from linkreel.config import Settings  # noqa: E402
from linkreel.media.captions import join_words  # noqa: E402
from linkreel.media.ffmpeg import ffmpeg_exe  # noqa: E402
from linkreel.media.fonts import font_path  # noqa: E402
from linkreel.media.probe import probe  # noqa: E402
from linkreel.pipeline import AdRequest, make_ad  # noqa: E402

# The peer script lives beside the repository (../shared), as the saved pages do.
PEER = Path(os.environ.get("LINKREEL_SHARED_DIR", ROOT.parent / "shared")) / "bench" / "peer_moviepy.py"
BENCH_VENV = ROOT / ".venv-bench"
LENGTH = int(os.environ.get("BENCH_LENGTH", "30"))


def peer_python() -> Path | None:
    py = BENCH_VENV / "bin" / "python"
    if not py.exists():
        print("setting up the peer's venv (.venv-bench, moviepy>=2,<3)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        ok = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--only-binary", ":all:",
                             "moviepy>=2,<3"]).returncode == 0
        if not ok:
            return None
    return py


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-work-"))
    settings = Settings(data_dir=work / "data", allow_private_urls=True)
    ours_mp4 = out / "ours.mp4"
    with serve_dir(EXAMPLES) as base:
        start = time.perf_counter()
        result = make_ad(AdRequest(source=f"{base}/aerobottle/index.html", aspect="9x16", length=LENGTH),
                         ours_mp4, work / "stages", settings)
        ours = time.perf_counter() - start
    info = probe(ours_mp4)

    tl = result.timeline
    lines = tl.captions.lines if tl.captions else []
    captions = [{"start": line.start_ms / 1000, "end": line.end_ms / 1000,
                 "text": join_words([w.text for w in line.words], line.joiner)} for line in lines]
    spec = {
        "width": 1080, "height": 1920, "fps": 30, "duration": float(LENGTH),
        "images": [img.path for img in result.brief.images if img.path],
        "voice": tl.voice.src if tl.voice else None,
        "music": tl.music.src if tl.music else None, "music_volume": 0.2,
        "captions": captions, "font": str(font_path("Noto Sans")),
        "preset": settings.x264_preset, "threads": 2, "out": str(out / "peer.mp4"),
    }
    spec_path = out / "peer_spec.json"
    spec_path.write_text(json.dumps(spec, indent=1))

    encode = timed([ffmpeg_exe(), "-y", "-i", str(ours_mp4), "-an", "-c:v", "libx264", "-preset",
                    settings.x264_preset, "-crf", str(settings.x264_crf), "-pix_fmt", "yuv420p",
                    str(out / "encode_only.mp4")])
    py = peer_python() if PEER.exists() else None
    peer = timed([str(py), str(PEER), str(spec_path)]) if py else None

    render_s = result.stages.get("render", 0.0)
    print()
    print(f"linkreel bench: {LENGTH} s 9:16 1080x1920@30 ad, preset {settings.x264_preset}, "
          f"{os.cpu_count()} cores")
    print(f"  output: {info.width}x{info.height} {info.duration_s:.2f} s, {ours_mp4.stat().st_size / 1e6:.1f} MB")
    for name, seconds in result.stages.items():
        print(f"  stage {name:<10} {seconds:7.2f} s")
    print(f"  ours, all stages     {ours:7.2f} s  ({LENGTH / ours:.2f}x realtime)")
    print(f"  pure x264 encode     {encode:7.2f} s  (re-encode of our frames, same preset/CRF)")
    print(f"  render ÷ encode      {render_s / encode:7.2f}")
    if peer is not None:
        print(f"  peer (MoviePy)       {peer:7.2f} s  ({LENGTH / peer:.2f}x realtime)")
        print(f"  speed-up vs peer     {peer / ours:7.2f}x")
    else:
        why = "could not install moviepy into .venv-bench" if PEER.exists() else f"{PEER} not found"
        print(f"  peer (MoviePy)       not run: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
