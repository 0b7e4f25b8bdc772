"""Fixtures for the browser tests: a real `linkreel serve` on a loopback port, a workspace, the shop,
and Debian's chromium driven by Playwright (skipped, saying why, when /usr/bin/chromium is absent).

Import `browser_fixture` and `server_fixture` into a test module to get the `browser` and `server`
fixtures (module-scoped). Screenshots go to out/screenshots/.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.ffmpeg import run as run_ffmpeg
from tests.helpers import EXAMPLES, ROOT, serve_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SCREENSHOTS = ROOT / "out" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass
class Server:
    base: str
    api_id: str
    api_key: str
    shop: str  # base URL of examples/ on loopback

    @property
    def product_url(self) -> str:
        return f"{self.shop}/aerobottle/index.html"

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"X-API-ID": self.api_id, "X-API-KEY": self.api_key}
        return httpx.request(method, self.base + path, headers=headers, timeout=120, **kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"linkreel serve exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("linkreel serve did not start listening")


@pytest.fixture(scope="module", name="server")
def server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("web-data")
    port = _free_port()
    env = {**os.environ, "LINKREEL_DATA_DIR": str(data), "LINKREEL_ALLOW_PRIVATE_URLS": "true",
           "LINKREEL_X264_PRESET": "ultrafast", "LINKREEL_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "LINKREEL_FETCH_TIMEOUT_S": "10"}
    cli = [sys.executable, "-m", "linkreel"]
    keys = json.loads(subprocess.run([*cli, "keys", "create", "--name", "web", "--credits", "500", "--json"],
                                     env=env, capture_output=True, text=True, check=True).stdout)
    log = open(data / "serve.log", "wb")  # noqa: SIM115 - closed below, after the server stops
    proc = subprocess.Popen([*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, proc)
        with serve_dir(EXAMPLES) as shop:
            yield Server(f"http://127.0.0.1:{port}", keys["api_id"], keys["api_key"], shop)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium): run scripts/browser.sh")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def shop_with_a_video(root: Path) -> Path:
    """The sample shop whose product page also has a video (SMPTE bars: nothing like a product photo)."""
    page = root / "aerobottle"
    shutil.copytree(EXAMPLES / "aerobottle", page)
    run_ffmpeg(ffmpeg_exe(), ["-f", "lavfi", "-i", "smptebars=s=360x640:d=6:r=25", "-c:v", "libx264", "-preset",
                              "ultrafast", "-pix_fmt", "yuv420p", str(page / "clip.mp4")])
    html = (page / "index.html").read_text("utf-8")
    (page / "index.html").write_text(html.replace('<div class="gallery">', '<video src="clip.mp4" controls></video>\n'
                                                   '  <div class="gallery">', 1), "utf-8")
    return root


def sign_in(page: Any, server: Server) -> None:
    page.goto(server.base + "/signin/")
    page.fill("#api_id", server.api_id)
    page.fill("#api_key", server.api_key)
    page.click("button[type=submit]")
    page.wait_for_url("**/jobs/")


def screenshots(browser: Any, server: Server, name: str, path: str, ready: str | None = None,
                prepare: Callable[[Any], None] | None = None) -> None:
    """`path` at phone and desktop widths, signed in, as out/screenshots/<name>-phone.png / -desktop.png.
    `ready`: a selector to wait for; `prepare(page)`: what to do on the page before the picture."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        if name != "signin":
            sign_in(page, server)
        page.goto(server.base + path)
        if ready:
            page.wait_for_selector(ready, timeout=60_000)
        if prepare:
            prepare(page)
        page.wait_for_timeout(500)  # let the first poll paint
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        context.close()


# --------------------------------------------------------------------------- reading a rendered frame

CAPTION_BLUE = "normal-blue"  # a caption style whose box (24, 92, 230) no product photo here comes close to


def image_distances(frame: np.ndarray, images: list[Path]) -> list[float]:
    """Mean absolute difference (0..255) between a frame and each image, both shrunk to 18×32 after the
    image is cropped to the frame's shape, as a full-frame photo is: the smallest is the photo on screen."""
    small = (18, round(18 * frame.shape[0] / frame.shape[1]))
    shown = np.asarray(Image.fromarray(frame).resize(small, Image.Resampling.BOX), np.float32)
    out = []
    for path in images:
        with Image.open(path) as im:
            im = im.convert("RGB")
            scale = max(frame.shape[1] / im.width, frame.shape[0] / im.height)
            w, h = round(frame.shape[1] / scale), round(frame.shape[0] / scale)
            left, top = (im.width - w) // 2, (im.height - h) // 2
            photo = np.asarray(im.crop((left, top, left + w, top + h)).resize(small, Image.Resampling.BOX), np.float32)
        out.append(float(np.abs(shown - photo).mean()))
    return out


def blue_caption_rows(frame: np.ndarray) -> tuple[float, float]:
    """Top and bottom of the `normal-blue` caption box as fractions of the frame height."""
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    blue = (b > 170) & (r < 90) & (g < 150)
    rows = np.flatnonzero(blue.sum(axis=1) > frame.shape[1] * 0.02)
    assert rows.size, "no blue caption box in this frame"
    return rows[0] / frame.shape[0], (rows[-1] + 1) / frame.shape[0]
