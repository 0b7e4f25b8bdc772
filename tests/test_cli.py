"""The `linkreel` command as a user runs it: exit codes, one-line errors, JSON output."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES, serve_dir

LINKREEL = str(Path(sys.executable).with_name("linkreel"))


def run(*args: str, allow_private: bool = True, tmp: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LINKREEL_ALLOW_PRIVATE_URLS": "1" if allow_private else "0"}
    if tmp:
        env["LINKREEL_DATA_DIR"] = str(tmp)
    env.pop("LINKREEL_DEBUG", None)
    return subprocess.run([LINKREEL, *args], capture_output=True, text=True, env=env, timeout=600)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle.lower() in lines[0].lower(), lines[0]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--visual-style", "NoSuchTemplate"], "visual style"),
        (["--script-style", "NoSuchWriter"], "script style"),
        (["--aspect", "4x3"], "aspect"),
        (["--length", "20"], "length"),
        (["--language", "xx"], "language"),
        (["--voice", "nobody"], "voice"),
        (["--music", "no-such-track"], "no-such-track"),
    ],
)
def test_bad_options_are_one_line_errors(args: list[str], needle: str, tmp_path: Path) -> None:
    page = EXAMPLES / "aerobottle" / "index.html"
    assert_one_line_error(run("make", str(page), "-o", str(tmp_path / "x.mp4"), *args, tmp=tmp_path), needle)
    assert not (tmp_path / "x.mp4").exists()


def test_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(run("make", str(tmp_path / "nope.html"), tmp=tmp_path), "no such file")


def test_page_without_product(tmp_path: Path) -> None:
    page = tmp_path / "blog.html"
    page.write_text("<html><body><p>Just a blog post about nothing.</p></body></html>")
    assert_one_line_error(run("make", str(page), tmp=tmp_path), "no product")


def test_unreachable_url(tmp_path: Path) -> None:
    assert_one_line_error(run("scrape", "http://127.0.0.1:9/product", tmp=tmp_path), "127.0.0.1")


def test_private_address_blocked_by_default(tmp_path: Path) -> None:
    with serve_dir(EXAMPLES) as base:
        proc = run("scrape", f"{base}/aerobottle/index.html", allow_private=False, tmp=tmp_path)
    assert_one_line_error(proc, "127.0.0.1")


def test_scrape_json(tmp_path: Path) -> None:
    with serve_dir(EXAMPLES) as base:
        proc = run("scrape", f"{base}/aerobottle/index.html", "--json", tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr
    brief = json.loads(proc.stdout)
    assert brief["title"].startswith("AeroBottle Pro") and brief["price"] == "34.95"
    assert brief["currency"] == "USD" and len(brief["images"]) >= 4


def test_make_json_from_saved_page_without_photos(tmp_path: Path) -> None:
    """A saved page whose images are all offline still renders, with generated product cards."""
    page = tmp_path / "shop.html"
    page.write_text((EXAMPLES / "aerobottle" / "index.html").read_text().replace("img/", "https://cdn.invalid/img/"))
    out = tmp_path / "ad.mp4"
    proc = run("make", str(page), "-o", str(out), "--length", "15", "--aspect", "1x1", "--music", "none",
               "--json", tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result) >= {"output", "thumbnail", "duration", "aspect", "language", "stages", "brief", "script"}
    assert result["images"] == []  # nothing could be fetched: the output says so
    assert Path(result["output"]).stat().st_size > 50_000 and Path(result["thumbnail"]).exists()
    assert result["duration"] == 15 and result["aspect"] == "1x1"
    checks = {c["name"]: c for c in result["quality_report"]["checks"]}
    assert checks["duration"]["status"] == "pass"
    # Generated cards only: none of the screen time shows the product's own pictures, and the report says so.
    assert checks["product_share"]["status"] == "warn" and checks["product_share"]["value"] == 0
