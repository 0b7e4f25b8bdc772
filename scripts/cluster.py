"""A local render farm on the `make services` servers: the API, N workers, a batch of ads.

    python scripts/cluster.py demo [--workers 2] [--ads 4]     # make demo-cluster
    python scripts/cluster.py bench [--ads 4]                  # make bench-cluster: 1 vs 2 workers

Reads `.services.env` (PostgreSQL, Redis, SeaweedFS from `make services`), starts
`linkreel serve --workers 0` and N `linkreel worker` processes (each with its own data dir, so
nothing is shared but the servers), serves the sample shop on loopback, orders the ads over HTTP
and waits for them. Logs and outputs go to out/cluster/. Everything it started is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out" / "cluster"
STYLES = ("FullScreenTemplate", "DynamicProductTemplate")


def _services_env() -> dict[str, str]:
    path = ROOT / ".services.env"
    if not path.exists():
        sys.exit("no .services.env: run `make services` first")
    env = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            if not key.startswith("LINKREEL_TEST_"):
                env[key] = value
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class Farm:
    def __init__(self, workers: int) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **_services_env(), "LINKREEL_PUBLIC_URL": self.base,
                    "LINKREEL_FETCH_ALLOW": "127.0.0.1", "LINKREEL_LOG_FORMAT": "json", "LINKREEL_SWEEP_S": "10"}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.workers = workers

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (OUT / f"{name}.log").open("ab")
        env = {**self.env, "LINKREEL_DATA_DIR": str(OUT / name)}
        proc = subprocess.Popen([sys.executable, "-m", "linkreel.cli_server", *args], env=env, stdout=log, stderr=log)
        self.procs.append(proc)
        return proc

    def __enter__(self) -> Farm:
        api = self._start("api", "serve", "--port", str(self.port), "--workers", "0")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and api.poll() is None:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            self.__exit__()
            sys.exit(f"the API did not become ready; see {OUT / 'api.log'}")
        for i in range(self.workers):
            self._start(f"worker{i + 1}", "worker", "--concurrency", "1")
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    def keys(self) -> dict[str, str]:
        env = {**self.env, "LINKREEL_DATA_DIR": str(OUT / "api")}
        out = subprocess.run([sys.executable, "-m", "linkreel", "keys", "create", "--name", "cluster-demo",
                              "--credits", "1000", "--json"], env=env, check=True, capture_output=True, text=True)
        return json.loads(out.stdout)


def run_batch(workers: int, ads: int, length: int) -> float:
    """Render `ads` ads on a farm of `workers` worker processes; returns the wall seconds."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(ROOT / "examples")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    shop = f"http://127.0.0.1:{server.server_port}/aerobottle/index.html"
    try:
        with Farm(workers) as farm:
            keys_env = farm.keys()
            headers = {"X-API-ID": keys_env["api_id"], "X-API-KEY": keys_env["api_key"]}
            with httpx.Client(base_url=farm.base, headers=headers, timeout=60) as http:
                link = http.post("/api/links/", json={"url": shop})
                link.raise_for_status()
                started = time.monotonic()
                jobs = []
                for i in range(ads):
                    r = http.post("/api/link_to_videos/", json={
                        "link": link.json()["id"], "video_length": length, "aspect_ratio": "9x16",
                        "visual_style": STYLES[i % len(STYLES)]})
                    r.raise_for_status()
                    jobs.append(r.json()["id"])
                pending = set(jobs)
                while pending:
                    time.sleep(1)
                    for job_id in list(pending):
                        j = http.get(f"/api/link_to_videos/{job_id}/").json()
                        if j["status"] in ("done", "failed"):
                            pending.discard(job_id)
                            took = time.monotonic() - started
                            print(f"  {job_id[:8]} {j['status']:6} after {took:5.1f} s  "
                                  f"{j['video_output'] or j['failed_reason']}", flush=True)
                return time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("demo", "bench"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ads", type=int, default=4)
    parser.add_argument("--length", type=int, default=15, choices=(15, 30, 45, 60))
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    if args.command == "demo":
        print(f"API + {args.workers} workers on PostgreSQL, Redis and SeaweedFS; {args.ads} ads of {args.length} s")
        wall = run_batch(args.workers, args.ads, args.length)
        print(f"{args.ads} ads in {wall:.1f} s; logs in {OUT}")
        return
    results = {}
    for workers in (1, 2):
        print(f"{workers} worker process(es), {args.ads} ads of {args.length} s:")
        results[workers] = run_batch(workers, args.ads, args.length)
    print()
    print("| workers | wall s | ads per minute |")
    print("|---|---|---|")
    for workers, wall in results.items():
        print(f"| {workers} | {wall:.1f} | {args.ads * 60 / wall:.2f} |")
    print(f"\nspeed-up with 2 workers: {results[1] / results[2]:.2f}x (2 cores: renders already use both)")


if __name__ == "__main__":
    main()
