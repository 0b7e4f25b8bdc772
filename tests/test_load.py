"""Load, bounded and on loopback: 200 concurrent clients read and create jobs for a while against a
real `linkreel serve` process that is rendering meanwhile, first back to back (saturation), then each
client polling once a second. No request may fail; the GET latency percentiles of both are printed
(`pytest -s`) and written to out/load-report.json, never asserted (the machines are shared).
LINKREEL_LOAD_SECONDS sets each phase's duration (default 15; the issue's run is 60).
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
from tests.loadgen import Connection, percentile
from tests.webhook_support import wait_for

CLIENTS = 200
CREATE_EVERY = 25  # one request in this many orders a video (queued behind the render in progress)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _client(conn: Connection, link: str, job: str, until: float, n: int, pace_s: float,
                  latencies: list[float], errors: list[str]) -> None:
    """One client on its own connection: requests back to back, or one every `pace_s` (a dashboard polling)."""
    i = n
    await asyncio.sleep(pace_s * n / CLIENTS)  # paced clients start spread over one period
    while (now := time.monotonic()) < until:
        i += 1
        try:
            if i % CREATE_EVERY == 0:
                r = await conn.request("POST", "/api/link_to_videos/", {
                    "link": link, "video_length": 15, "aspect_ratio": "9x16", "visual_style": "FullScreenTemplate"})
            else:
                path = (f"/api/link_to_videos/{job}/", "/api/link_to_videos/paginated/?page_size=5",
                        "/api/remaining_credits/", f"/api/links/{link}/")[i % 4]
                r = await conn.request("GET", path)
                latencies.append(r.seconds)
            if r.status != 200:
                errors.append(f"{r.status} {r.body[:120]!r}")
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            conn.close()
        if pace_s:
            await asyncio.sleep(max(0.0, now + pace_s - time.monotonic()))
    conn.close()


def _phase(base: str, headers: dict[str, str], link: str, job: str, seconds: float, pace_s: float,
           errors: list[str]) -> dict[str, float]:
    latencies: list[float] = []

    async def run() -> None:
        until = time.monotonic() + seconds
        await asyncio.gather(*(_client(Connection(base, headers), link, job, until, n, pace_s, latencies, errors)
                               for n in range(CLIENTS)))

    asyncio.run(run())
    latencies.sort()
    assert len(latencies) >= CLIENTS  # the server kept answering all of them
    return {"gets": len(latencies), "gets_per_s": round(len(latencies) / seconds, 1),
            "get_p50_ms": round(1000 * percentile(latencies, 0.50), 1),
            "get_p99_ms": round(1000 * percentile(latencies, 0.99), 1)}


def test_200_clients_while_rendering(tmp_path: Path) -> None:
    seconds = float(os.environ.get("LINKREEL_LOAD_SECONDS", "15"))
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
    errors: list[str] = []
    try:
        wait_for(lambda: _up(base) or proc.poll() is not None, 90, "the server")
        with serve_dir(EXAMPLES) as shop, httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            link = http.post("/api/links/", json={"url": f"{shop}/aerobottle/index.html"}).json()["id"]
            job = http.post("/api/link_to_videos/", json={"link": link, "video_length": 15, "aspect_ratio": "9x16",
                                                           "visual_style": "FullScreenTemplate"}).json()["id"]
            # Saturation: every client sends its next request as soon as the last is answered, so the
            # latency is mostly queueing (200 clients ÷ the server's throughput, by Little's law).
            saturated = _phase(base, headers, link, job, seconds, 0.0, errors)
            rendering = http.get(f"/api/link_to_videos/{job}/").json()["status"]
            # A dashboard's pace: each client polls once a second (the creates keep renders running).
            paced = _phase(base, headers, link, job, seconds, 1.0, errors)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    report = {"clients": CLIENTS, "seconds": seconds, "errors": len(errors), "back_to_back": saturated,
              "one_per_second": paced, "render_status_after_first_phase": rendering}
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "load-report.json").write_text(json.dumps(report, indent=1))
    print("\nload:", json.dumps(report))
    assert not errors, errors[:10]
    assert rendering in ("running", "done")  # the render went on under load


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
