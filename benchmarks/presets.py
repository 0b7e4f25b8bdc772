"""`make bench-presets`: which x264 preset to deliver with, measured rather than guessed.

Takes the bench's ad (`benchmarks/out/full.mp4`, from `make bench`; run that first), decodes it once
to raw frames, and encodes those frames with each preset at the delivery CRF. For each preset: encode
CPU seconds, file size, and SSIM against the frames, next to `medium`'s. The rule the default follows:
the fastest preset whose SSIM is within 0.002 of medium's and whose file is at most 1.5x medium's.
"""

import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linkreel.config import Settings  # noqa: E402
from linkreel.media.ffmpeg import ffmpeg_exe  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "medium")
SSIM_SLACK, SIZE_SLACK = 0.002, 1.5


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def encode(ff: str, raw: Path, preset: str, crf: int) -> tuple[Path, float, float]:
    out = OUT / f"preset-{preset}.mp4"
    start, cpu0 = time.perf_counter(), children_cpu()
    subprocess.run([ff, "-v", "error", "-y", "-i", str(raw), "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
                    "-pix_fmt", "yuv420p", str(out)], check=True)
    return out, time.perf_counter() - start, children_cpu() - cpu0


def ssim(ff: str, encoded: Path, raw: Path) -> float:
    err = subprocess.run([ff, "-hide_banner", "-i", str(encoded), "-i", str(raw), "-lavfi", "[0:v][1:v]ssim",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    found = re.findall(r"All:(\d\.\d+)", err)
    return float(found[-1]) if found else 0.0


def main() -> int:
    src = OUT / "full.mp4"
    if not src.exists():
        print(f"{src} not found: run `make bench` first")
        return 1
    ff, crf = ffmpeg_exe(), Settings().x264_crf
    raw = OUT / "frames.nut"
    subprocess.run([ff, "-v", "error", "-y", "-i", str(src), "-an", "-c:v", "rawvideo", "-pix_fmt", "yuv420p",
                    str(raw)], check=True)
    rows = {}
    try:
        for preset in PRESETS:
            out, wall, cpu = encode(ff, raw, preset, crf)
            rows[preset] = (wall, cpu, out.stat().st_size / 1e6, ssim(ff, out, raw))
    finally:
        raw.unlink(missing_ok=True)
    ref_ssim, ref_size = rows["medium"][3], rows["medium"][2]
    print(f"x264 presets at CRF {crf} on the bench ad's frames ({src.name}); SSIM against the frames")
    print(f"  {'preset':<10} {'wall s':>7} {'CPU s':>7} {'MB':>6} {'SSIM':>8} {'Δ medium':>9}")
    chosen = "medium"
    for preset in PRESETS:
        wall, cpu, size, value = rows[preset]
        print(f"  {preset:<10} {wall:7.2f} {cpu:7.2f} {size:6.2f} {value:8.5f} {value - ref_ssim:+9.5f}")
    for preset in PRESETS:  # fastest first
        _, _, size, value = rows[preset]
        if value >= ref_ssim - SSIM_SLACK and size <= ref_size * SIZE_SLACK:
            chosen = preset
            break
    print(f"fastest preset within {SSIM_SLACK} SSIM and {SIZE_SLACK}x the size of medium: {chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
