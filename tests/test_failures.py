"""Jobs that cannot finish fail cleanly: a plain failed_reason, a refund, nothing half-published.

An ffmpeg that is killed mid-render (a wrapper around the real binary, via LINKREEL_FFMPEG) and a
work directory on a full disk (a small tmpfs; needs root, skips otherwise).
"""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from linkreel.api.app import create_app
from linkreel.api.auth import create_workspace
from linkreel.jobs.queue import start_consumers
from linkreel.media.ffmpeg import ffmpeg_exe
from tests.api_support import THREE_IMAGES, Api, images, make_settings
from tests.webhook_support import wait_for

pytest_plugins = ["tests.api_support"]

CRASHING_FFMPEG = """#!/bin/sh
# The real ffmpeg, killed 1 s into any H.264 encode (the final render); everything else runs normally.
case "$*" in
  *libx264*) "{real}" "$@" & child=$!; sleep 1; kill -9 $child; kill -9 $$ ;;
  *) exec "{real}" "$@" ;;
esac
"""


def _run_job(tmp_path: Path, shop: str, **overrides: Any) -> tuple[Api, dict[str, Any]]:
    settings = make_settings(tmp_path / "data", x264_preset="ultrafast", **overrides)
    app = create_app(settings)
    consumers = start_consumers(settings, 1, app.state.db)
    try:
        with TestClient(app) as client:
            with app.state.db.session() as s:
                _, api_id, api_key, _ = create_workspace(s, "failures", 20)
            api = Api(app, client, api_id, api_key)
            link = api.post("/api/links/link_with_params/", json={"title": "Aero Bottle",
                                                                  "image_urls": images(shop, *THREE_IMAGES)})
            assert link.status_code == 200, link.text
            job = api.post("/api/link_to_videos/", json={"link": link.json()["id"], "video_length": 15,
                                                          "aspect_ratio": "9x16", "visual_style": "FullScreenTemplate"})
            assert job.status_code == 200, job.text
            job_id = job.json()["id"]
            done = wait_for(lambda: (j := api.get(f"/api/link_to_videos/{job_id}/").json())["status"]
                            in ("done", "failed") and j, 300, "the job to settle")
            balance = api.balance()
            media = client.get(f"/media/{done['media_job']}/output.mp4")
            return api, {**done, "balance": balance, "media_status": media.status_code}
    finally:
        consumers.stop()


def _assert_failed_cleanly(result: dict[str, Any], reason: str, settings_root: Path) -> None:
    assert result["status"] == "failed"
    assert result["failed_reason"] == reason
    assert "Traceback" not in result["failed_reason"]
    assert result["balance"] == 20 - 1 and result["credits_used"] == 0  # the render charge came back
    assert result["video_output"] is None and result["media_status"] == 404  # nothing published
    assert not list(settings_root.rglob("*.part.mp4"))


def test_ffmpeg_killed_mid_render(tmp_path: Path, shop: str) -> None:
    wrapper = tmp_path / "ffmpeg"
    wrapper.write_text(CRASHING_FFMPEG.format(real=ffmpeg_exe()))
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    _, result = _run_job(tmp_path, shop, ffmpeg=str(wrapper))
    _assert_failed_cleanly(result, "Rendering failed: the encoder was stopped (signal 9)", tmp_path)
    render = next(s for s in result["stages"] if s["name"] == "render")
    assert render["status"] == "failed"


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MiB tmpfs: room for the job's inputs, not for its render."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_work_dir_on_a_full_disk(tmp_path: Path, shop: str, full_disk: Path) -> None:
    # Fill the disk but for a little room, so the job gets going and then runs out.
    (full_disk / "ballast").write_bytes(bytes(20 * 1024 * 1024))
    _, result = _run_job(tmp_path, shop, work_dir=full_disk / "work")
    assert result["failed_reason"] in (
        "Rendering failed: the server ran out of disk space",
        "The video could not be made: the server ran out of disk space; the credits were refunded.",
    )
    _assert_failed_cleanly(result, result["failed_reason"], tmp_path)
    assert not (full_disk / "work" / result["id"]).exists()  # the failed job's work files are gone too
