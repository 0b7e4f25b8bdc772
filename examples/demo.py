"""`make demo`: serve the sample shop on loopback and make an ad from its product page.

The page is fetched over real HTTP, the same path a live shop URL takes; loopback is allowed
only for this run (LINKREEL_ALLOW_PRIVATE_URLS=1).
"""

import os
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/demo.mp4")
    extra = sys.argv[2:]
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(HERE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/aerobottle/index.html"
    print(f"sample shop at {url}", flush=True)
    env = {**os.environ, "LINKREEL_ALLOW_PRIVATE_URLS": "1"}
    env.setdefault("LINKREEL_DATA_DIR", str(HERE.parent / ".linkreel"))
    linkreel = Path(sys.executable).with_name("linkreel")
    try:
        return subprocess.call([str(linkreel), "make", url, "-o", str(out), *extra], env=env)
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
