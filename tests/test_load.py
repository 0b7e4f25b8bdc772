"""Load, bounded and on loopback: 200 concurrent clients read and create jobs for a while against a
real `linkreel serve` process that is rendering meanwhile. No request may fail; the GET latency
percentiles are printed (`pytest -s`) and written to out/load-report.json, never asserted (the
machines are shared). LINKREEL_LOAD_SECONDS sets the duration (default 20; the issue's run is 60).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.helpers import EXAMPLES, ROOT, serve_dir
from tests.webhook_support import wait_for

CLIENTS = 200
CREATE_EVERY = 25  # one request in this many orders a video (queued behind the render in progress)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _client(http: httpx.AsyncClient, link: str, job: str, until: float, n: int,
                  latencies: list[float], errors: list[str]) -> None:
    """One client: its own connection (the pool has one per client), requests back to back."""
    i = n
    while time.monotonic() < until:
        i += 1
        try:
            if i % CREATE_EVERY == 0:
                r = await http.post("/api/link_to_videos/", json={
                    "link": link, "video_length": 15, "aspect_ratio": "9x16", "visual_style": "FullScreenTemplate"})
            else:
                path = (f"/api/link_to_videos/{job}/", "/api/link_to_videos/paginated/?page_size=5",
                        "/api/remaining_credits/", f"/api/links/{link}/")[i % 4]
                start = time.perf_counter()
                r = await http.get(path)
                latencies.append(time.perf_counter() - start)
            if r.status_code != 200:
                errors.append(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:120]}")
        except httpx.HTTPError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")


def test_200_clients_while_rendering(tmp_path: Path) -> None:
    seconds = float(os.environ.get("LINKREEL_LOAD_SECONDS", "20"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LINKREEL_DATA_DIR": str(tmp_path / "data"), "LINKREEL_PUBLIC_URL": base,
           "LINKREEL_FETCH_ALLOW": "127.0.0.1", "LINKREEL_X264_PRESET": "ultrafast",
           "LINKREEL_RATE_LIMIT_PER_MINUTE": "0", "LINKREEL_MAX_ACTIVE_JOBS": "0", "PYTHONPATH": str(ROOT / "src")}
    keys = json.loads(subprocess.run([sys.executable, "-m", "linkreel", "keys", "create", "--credits", "100000",
                                      "--json"], env=env, check=True, capture_output=True, text=True).stdout)
    headers = {"X-API-ID": keys["api_id"], "X-API-KEY": keys["api_key"]}
    log = (tmp_path / "serve.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "linkreel", "serve", "--port", str(port), "--workers", "1"],
                            env=env, stdout=log, stderr=log)
    try:
        wait_for(lambda: _up(base) or proc.poll() is not None, 90, "the server")
        with serve_dir(EXAMPLES) as shop, httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            link = http.post("/api/links/", json={"url": f"{shop}/aerobottle/index.html"}).json()["id"]
            job = http.post("/api/link_to_videos/", json={"link": link, "video_length": 15, "aspect_ratio": "9x16",
                                                           "visual_style": "FullScreenTemplate"}).json()["id"]
            latencies: list[float] = []
            errors: list[str] = []

            async def run() -> None:
                until = time.monotonic() + seconds
                limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
                async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as client:
                    await asyncio.gather(*(_client(client, link, job, until, n, latencies, errors)
                                           for n in range(CLIENTS)))

            asyncio.run(run())
            rendering = http.get(f"/api/link_to_videos/{job}/").json()["status"]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    latencies.sort()
    report = {"clients": CLIENTS, "seconds": seconds, "gets": len(latencies), "errors": len(errors),
              "get_p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
              "get_p99_ms": round(1000 * latencies[int(len(latencies) * 0.99)], 1),
              "gets_per_s": round(len(latencies) / seconds, 1), "render_status_at_end": rendering}
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "load-report.json").write_text(json.dumps(report, indent=1))
    print("\nload:", json.dumps(report))
    assert not errors, errors[:10]
    assert len(latencies) >= CLIENTS  # the server kept answering all of them
    assert rendering in ("running", "done")  # the render went on under load


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
