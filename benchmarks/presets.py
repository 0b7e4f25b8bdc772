"""`make bench-presets`: which x264 preset and CRF to deliver with, measured rather than guessed.

Takes the bench's ad (`benchmarks/out/full.mp4`, from `make bench`; run that first), decodes it once
to raw frames, and encodes those frames with each preset. The reference is `medium` (x264's own default
preset) at CRF 21. For every faster preset the CRF is raised from 21 step by step while the encode
still matches the reference's quality; the rule the defaults (LINKREEL_X264_PRESET/CRF) follow:

- quality: SSIM within SSIM_SLACK of the reference's and VMAF within VMAF_SLACK of it (one VMAF point
  is well under a just-noticeable difference, about six);
- size: at most SIZE_SLACK times the reference's file;
- among the presets with a passing CRF, the one with the fewest encode CPU seconds, at its highest
  passing CRF (the smallest file: CPU seconds hardly move with the CRF).

The frames are our own delivered encode, decoded: re-encoding them with the preset they came from
flatters that preset a little, so the rule leans towards keeping what is shipped.
"""

import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linkreel.config import Settings  # noqa: E402
from linkreel.media.ffmpeg import ffmpeg_exe  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
FASTER = ("ultrafast", "superfast", "veryfast", "faster")
REFERENCE_CRF = 21
SSIM_SLACK, VMAF_SLACK, SIZE_SLACK = 0.002, 1.0, 1.5
MAX_CRF_STEP = 8  # how far above the reference CRF the search goes


@dataclass(frozen=True)
class Encode:
    preset: str
    crf: int
    wall: float
    cpu: float
    mb: float
    ssim: float
    vmaf: float


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def encode(ff: str, raw: Path, preset: str, crf: int) -> Encode:
    out = OUT / f"preset-{preset}-{crf}.mp4"
    start, cpu0 = time.perf_counter(), children_cpu()
    subprocess.run([ff, "-v", "error", "-y", "-i", str(raw), "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
                    "-pix_fmt", "yuv420p", str(out)], check=True)
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu0
    # VMAF on every 5th frame (a fifth of its cost; neighbouring frames of an ad score alike), SSIM on all.
    err = subprocess.run([ff, "-hide_banner", "-i", str(out), "-i", str(raw), "-lavfi",
                          "[0:v]split[a0][a1];[1:v]split[b0][b1];[a0][b0]ssim;"
                          "[a1][b1]libvmaf=n_subsample=5:n_threads=2", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    ssim = re.findall(r"All:(\d\.\d+)", err)
    vmaf = re.findall(r"VMAF score: ([\d.]+)", err)
    size = out.stat().st_size / 1e6
    out.unlink()
    return Encode(preset, crf, wall, cpu, size, float(ssim[-1]) if ssim else 0.0, float(vmaf[-1]) if vmaf else 0.0)


def main() -> int:
    src = OUT / "full.mp4"
    if not src.exists():
        print(f"{src} not found: run `make bench` first")
        return 1
    ff, crf = ffmpeg_exe(), REFERENCE_CRF
    raw = OUT / "frames.nut"
    subprocess.run([ff, "-v", "error", "-y", "-i", str(src), "-an", "-c:v", "rawvideo", "-pix_fmt", "yuv420p",
                    str(raw)], check=True)
    print(f"x264 on the bench ad's frames ({src.name}); reference: medium at CRF {crf}")
    print(f"  {'preset':<10} {'CRF':>3} {'wall s':>7} {'CPU s':>7} {'MB':>6} {'SSIM':>8} {'VMAF':>6}  verdict")

    def show(e: Encode, verdict: str) -> None:
        print(f"  {e.preset:<10} {e.crf:3d} {e.wall:7.2f} {e.cpu:7.2f} {e.mb:6.2f} {e.ssim:8.5f} {e.vmaf:6.2f}  "
              f"{verdict}", flush=True)

    try:
        ref = encode(ff, raw, "medium", crf)
        show(ref, "reference")

        def verdict(e: Encode) -> str:
            if e.ssim < ref.ssim - SSIM_SLACK or e.vmaf < ref.vmaf - VMAF_SLACK:
                return "below the reference's quality"
            if e.mb > ref.mb * SIZE_SLACK:
                return f"file over {SIZE_SLACK}x the reference's"
            return "passes"

        passing: list[Encode] = []
        for preset in FASTER:
            for step in range(MAX_CRF_STEP + 1):
                e = encode(ff, raw, preset, crf + step)
                v = verdict(e)
                show(e, v)
                if v == "passes":
                    passing.append(e)
                elif v.startswith("below"):
                    break  # a higher CRF only loses more
    finally:
        raw.unlink(missing_ok=True)
    if not passing:
        print("no faster preset matches the reference: deliver with medium")
        return 0
    settings = Settings()
    fastest = min(passing, key=lambda e: e.cpu).preset
    best = max((e for e in passing if e.preset == fastest), key=lambda e: e.crf)
    print(f"fewest CPU seconds at the reference's quality (SSIM -{SSIM_SLACK}, VMAF -{VMAF_SLACK}, size "
          f"≤ {SIZE_SLACK}x): {best.preset} at CRF {best.crf} ({best.cpu:.1f} CPU s, {best.mb:.2f} MB; "
          f"medium {ref.cpu:.1f} CPU s, {ref.mb:.2f} MB); configured: {settings.x264_preset} at CRF "
          f"{settings.x264_crf}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
