"""`make bench`: every figure of issue 11 in one run, ours vs the MoviePy peer on the same inputs.

Cases (each with a fresh work dir and data dir, so nothing is cached unless said):
- full: a 30 s 9:16 1080x1920@30 ad from the saved sample page, every stage (cold caches), with per-stage
  wall / CPU seconds and peak RSS (this process and the largest child process);
- encode: a pure x264 encode of that ad's frames, same preset and CRF (decoded from a lossless copy, so the
  encoder sees our frames and decoding the H.264 output costs nothing in the figure);
- peer: the same photos, voice, music and caption lines through `../shared/bench/peer_moviepy.py`;
- preview: after the scrape, what an API preview job does (storyboard + 540 px video), voice model warm;
- aspects: 9:16 + 16:9 + 1:1 from one job (`make_ads`), cold, against the single-aspect run;
- lengths: 15 s and 60 s ads (cold), render seconds per output second, peak RSS of the 60 s render;
- espeak: the full case again with `LINKREEL_VOICE_ENGINES=espeak`.

Wall seconds are noisy on the shared 2-core machine: the ratios from one run are the figures that count.
`python benchmarks/run.py --no-peer --cases full,encode` runs a subset while iterating.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.probe import Sampler, StageClock, cpu_seconds  # noqa: E402
from tests.helpers import EXAMPLES, serve_dir  # noqa: E402

from linkreel import pipeline  # noqa: E402
from linkreel.config import Settings  # noqa: E402
from linkreel.jobs.runner import preview_size  # noqa: E402
from linkreel.media.captions import join_words  # noqa: E402
from linkreel.media.ffmpeg import ffmpeg_exe  # noqa: E402
from linkreel.media.fonts import font_path  # noqa: E402
from linkreel.media.probe import probe  # noqa: E402
from linkreel.pipeline import AdRequest, AdResult, make_ad, make_ads, plan_ad, render_plan  # noqa: E402

# The peer script lives beside the repository (../shared), as the saved pages do.
PEER = Path(os.environ.get("LINKREEL_SHARED_DIR", ROOT.parent / "shared")) / "bench" / "peer_moviepy.py"
BENCH_VENV = ROOT / ".venv-bench"
OUT = ROOT / "benchmarks" / "out"
ALL_CASES = ("full", "encode", "peer", "preview", "aspects", "lengths", "espeak", "avatar")


@dataclass
class Run:
    """One measured pipeline run."""

    wall: float
    cpu: float
    stages: StageClock
    qa_s: float = 0.0
    qa_cpu: float = 0.0
    result: AdResult | None = None
    results: list[AdResult] = field(default_factory=list)


class Bench:
    def __init__(self, base_url: str, sampler: Sampler) -> None:
        self.base = base_url
        self.sampler = sampler
        self.root = Path(tempfile.mkdtemp(prefix="bench-work-"))
        self.qa_seconds = self.qa_cpu = 0.0
        self._wrap_quality_report()

    def _wrap_quality_report(self) -> None:
        """Time the quality report apart: it runs inside the render stage but is not rendering."""
        original = pipeline.quality_report

        def timed(*args: object, **kwargs: object) -> object:
            start, cpu0 = time.perf_counter(), cpu_seconds()
            try:
                return original(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                self.qa_seconds += time.perf_counter() - start
                self.qa_cpu += cpu_seconds() - cpu0

        pipeline.quality_report = timed  # type: ignore[assignment]

    def settings(self, name: str, **extra: object) -> Settings:
        return Settings(data_dir=self.root / name / "data", allow_private_urls=True, **extra)  # type: ignore[arg-type]

    def request(self, length: int = 30, aspect: str = "9x16") -> AdRequest:
        return AdRequest(source=f"{self.base}/aerobottle/index.html", aspect=aspect, length=length)

    def measure(self, name: str, fn: Callable[[StageClock], object]) -> tuple[Run, object]:
        clock = StageClock(self.sampler, prefix=f"{name}:")
        self.qa_seconds = self.qa_cpu = 0.0
        start, cpu0 = time.perf_counter(), cpu_seconds()
        with self.sampler.labelled(name):
            value = fn(clock)
        return Run(wall=time.perf_counter() - start, cpu=cpu_seconds() - cpu0, stages=clock,
                   qa_s=self.qa_seconds, qa_cpu=self.qa_cpu), value

    def ad(self, name: str, length: int = 30, request: AdRequest | None = None, **settings: object) -> Run:
        s = self.settings(name, **settings)
        req = request or self.request(length)
        run, result = self.measure(name, lambda clock: make_ad(req, OUT / f"{name}.mp4", s.work_path / "job", s,
                                                               clock))
        run.result = result  # type: ignore[assignment]
        return run

    def aspects(self) -> Run:
        s = self.settings("aspects")
        run, results = self.measure("aspects", lambda clock: make_ads(
            self.request(), ["9x16", "16x9", "1x1"], OUT / "aspects.mp4", s.work_path / "job", s, clock))
        run.results = results  # type: ignore[assignment]
        return run

    def preview(self, brief: object) -> Run:
        """The API's preview job after its link was scraped: storyboard, then the 540 px video."""
        s = self.settings("preview")

        def go(clock: StageClock) -> object:
            plan = plan_ad(self.request(), s.work_path / "job", s, clock, brief=brief)  # type: ignore[arg-type]
            return render_plan(plan, "9x16", s, clock, size=preview_size("9x16"))

        return self.measure("preview", go)[0]


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


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one command (the CPU of its whole process tree), run in out/ (MoviePy
    leaves its temporary audio in the working directory)."""
    start, cpu0 = time.perf_counter(), cpu_seconds()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=OUT)
    return time.perf_counter() - start, cpu_seconds() - cpu0


def pure_encode(src: Path, preset: str, crf: int) -> tuple[float, float]:
    """x264 alone on our frames: decode once to a lossless intermediate (not timed), then encode it."""
    ff = ffmpeg_exe()
    raw = OUT / "frames.nut"
    subprocess.run([ff, "-v", "error", "-y", "-i", str(src), "-an", "-c:v", "rawvideo", "-pix_fmt", "yuv420p",
                    str(raw)], check=True)
    try:
        return timed([ff, "-y", "-i", str(raw), "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
                      "-pix_fmt", "yuv420p", str(OUT / "encode_only.mp4")])
    finally:
        raw.unlink(missing_ok=True)


def peer_spec(result: AdResult, settings: Settings, length: int) -> Path:
    tl = result.timeline
    lines = tl.captions.lines if tl.captions else []
    captions = [{"start": line.start_ms / 1000, "end": line.end_ms / 1000,
                 "text": join_words([w.text for w in line.words], line.joiner)} for line in lines]
    spec = {
        "width": 1080, "height": 1920, "fps": 30, "duration": float(length),
        "images": [img.path for img in result.brief.images if img.path],
        "voice": tl.voice.src if tl.voice else None,
        "music": tl.music.src if tl.music else None, "music_volume": 0.2,
        "captions": captions, "font": str(font_path("Noto Sans")),
        "preset": settings.x264_preset, "threads": 2, "out": str(OUT / "peer.mp4"),
    }
    path = OUT / "peer_spec.json"
    path.write_text(json.dumps(spec, indent=1))
    return path


def render_only(run: Run) -> float:
    """The render stage without the quality report (which measures the file after it is written)."""
    return run.stages.wall.get("render", 0.0) - run.qa_s


def print_stages(run: Run, sampler: Sampler, name: str) -> None:
    print(f"  {'stage':<10} {'wall s':>7} {'CPU s':>7} {'py MiB':>7} {'child MiB':>9}")
    for stage, wall in run.stages.wall.items():
        label = f"{name}:{stage}"
        py, child = sampler.peaks.python.get(label), sampler.peaks.child.get(label)
        print(f"  {stage:<10} {wall:7.2f} {run.stages.cpu.get(stage, 0.0):7.2f} "
              f"{f'{py:.0f}' if py else '–':>7} {f'{child:.0f}' if child else '–':>9}")
    if run.qa_s:
        print(f"  (render includes the quality report: {run.qa_s:.2f} s, CPU {run.qa_cpu:.2f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(ALL_CASES), help="subset of: " + ",".join(ALL_CASES))
    parser.add_argument("--no-peer", action="store_true", help="skip the MoviePy peer (about 4 minutes)")
    args = parser.parse_args()
    cases = set(args.cases.split(",")) - ({"peer"} if args.no_peer else set())
    cases.add("full")  # everything else is compared with it
    OUT.mkdir(parents=True, exist_ok=True)
    rows: dict[str, object] = {}
    with serve_dir(EXAMPLES) as base, Sampler() as sampler:
        bench = Bench(base, sampler)
        full = bench.ad("full")
        assert full.result is not None
        settings = bench.settings("full")
        info = probe(full.result.output)
        print(f"\nlinkreel bench: 30 s 9:16 1080x1920@30 ad, preset {settings.x264_preset} crf {settings.x264_crf}, "
              f"{os.cpu_count()} cores")
        print(f"  output: {info.width}x{info.height} {info.duration_s:.2f} s, "
              f"{full.result.output.stat().st_size / 1e6:.1f} MB, voice {full.result.timeline.voice.src if full.result.timeline.voice else '-'}")  # noqa: E501
        print_stages(full, sampler, "full")
        print(f"  ours, all stages     {full.wall:7.2f} s  CPU {full.cpu:.1f} s  "
              f"peak RSS python {sampler.peaks.python['full']:.0f} / child {sampler.peaks.child['full']:.0f} MiB")
        rows["full_s"] = full.wall
        render_s = render_only(full)
        if "encode" in cases:
            enc, enc_cpu = pure_encode(full.result.output, settings.x264_preset, settings.x264_crf)
            rows["encode_s"] = enc
            print(f"  pure x264 encode     {enc:7.2f} s  CPU {enc_cpu:.1f} s  (our frames, same preset/CRF)")
            render_cpu = full.stages.cpu.get("render", 0.0) - full.qa_cpu
            rows["render_over_encode"] = render_s / enc
            print(f"  render ÷ encode      {render_s / enc:7.2f}   (render {render_s:.2f} s without the QA report;"
                  f" target ≤ 1.3)")
            print(f"  … in CPU seconds     {render_cpu / enc_cpu:7.2f}   ({render_cpu:.1f} ÷ {enc_cpu:.1f}: steadier"
                  f" on a shared machine)")
        if "peer" in cases:
            py = peer_python() if PEER.exists() else None
            if py:
                peer, _ = timed([str(py), str(PEER), str(peer_spec(full.result, settings, 30))])
                rows["peer_s"] = peer
                print(f"  peer (MoviePy)       {peer:7.2f} s  ({30 / peer:.2f}x realtime)")
                print(f"  speed-up vs peer     {peer / full.wall:7.2f}x  (target ≥ 10x; ours ≤ 20 s)")
            else:
                why = "could not install moviepy into .venv-bench" if PEER.exists() else f"{PEER} not found"
                print(f"  peer (MoviePy)       not run: {why}")
        if "preview" in cases:
            pv = bench.preview(full.result.brief)
            rows["preview_s"] = pv.wall
            print(f"\npreview after scrape (storyboard + {preview_size('9x16')[0]}x{preview_size('9x16')[1]} video), "
                  f"voice model warm: {pv.wall:.2f} s  (target ≤ 3 s)")
            print_stages(pv, sampler, "preview")
        if "aspects" in cases:
            three = bench.aspects()
            rows["aspects_ratio"] = three.wall / full.wall
            print(f"\nthree aspects (9x16, 16x9, 1x1) from one job: {three.wall:.2f} s, ÷ one aspect "
                  f"{three.wall / full.wall:.2f}  (target ≤ 2.2)")
            print_stages(three, sampler, "aspects")
        if "lengths" in cases:
            print("\nrender seconds per output second (render stage without the QA report):")
            per = {30: render_only(full) / 30}
            for length in (15, 60):
                run = bench.ad(f"len{length}", length)
                per[length] = render_only(run) / length
                if length == 60:
                    rows["rss60_mib"] = sampler.peaks.child.get("len60:render", 0.0)
                    print(f"  60 s ad: all stages {run.wall:.2f} s; peak RSS of the render's ffmpeg "
                          f"{rows['rss60_mib']:.0f} MiB (target ≤ 700), this process "
                          f"{sampler.peaks.python.get('len60:render', 0):.0f} MiB")
            for length in sorted(per):
                print(f"  {length:>2} s: {per[length]:.3f} s/s")
        if "espeak" in cases:
            es = bench.ad("espeak", voice_engines="espeak")
            rows["espeak_s"] = es.wall
            note = f", {rows['peer_s'] / es.wall:.1f}x the peer" if "peer_s" in rows else ""
            print(f"\nsame ad with LINKREEL_VOICE_ENGINES=espeak: {es.wall:.2f} s all stages{note}")
            print_stages(es, sampler, "espeak")
        if "avatar" in cases:
            # Issue 8's budget: the presenter adds ≤ 30 % to a 30 s 9:16 render (avatar stage + render, CPU).
            runs = {}
            for name, avatar in (("bubble-none", "none"), ("bubble-avatar", None)):
                req = replace(bench.request(30), visual_style="AvatarBubbleTemplate", avatar=avatar)
                runs[name] = bench.ad(name, request=req, voice_engines="espeak")
            cost = {n: r.stages.cpu.get("avatar", 0.0) + r.stages.cpu.get("render", 0.0) for n, r in runs.items()}
            rows["avatar_cost"] = cost["bubble-avatar"] / cost["bubble-none"] - 1
            print(f"\npresenter layer (AvatarBubbleTemplate, 30 s 9:16, espeak): avatar + render CPU "
                  f"{cost['bubble-avatar']:.1f} s vs {cost['bubble-none']:.1f} s without: "
                  f"+{rows['avatar_cost']:.0%} (target ≤ 30 %)")
    (OUT / "bench.json").write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
