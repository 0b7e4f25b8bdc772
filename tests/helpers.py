"""Shared test helpers: loopback HTTP server, probing, frame sampling."""

import contextlib
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

from linkreel.media.ffmpeg import ffmpeg_exe

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED_PAGES = ROOT.parent / "shared" / "pages" / "dev"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve_handler(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run a request handler class on 127.0.0.1 in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_dir(directory: Path) -> Iterator[str]:
    """Serve a directory on 127.0.0.1; yields the base URL."""
    with serve_handler(partial(_Quiet, directory=str(directory))) as base:
        yield base


def frame_at(path: Path, seconds: float, width: int = 270) -> np.ndarray:
    """One decoded frame as an RGB array (scaled down: enough to compare pictures)."""
    out = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(path), "-frames:v", "1",
         "-vf", f"scale={width}:-2", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True).stdout
    height = len(out) // (width * 3)
    return np.frombuffer(out, np.uint8).reshape(height, width, 3)


def pump(src: socket.socket, dst: socket.socket) -> None:
    """Copy one direction of a proxied TCP connection until either side closes (then close both)."""
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
