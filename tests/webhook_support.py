"""A loopback webhook receiver that verifies every delivery's signature, and `wait_for` polling."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from linkreel.jobs import webhooks
from tests.helpers import serve_handler


def wait_for(fn: Callable[[], Any], timeout: float, what: str, every: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@dataclass
class Receiver:
    """Loopback webhook endpoint that checks every delivery's HMAC signature."""

    secret: str = ""
    failures: dict[str, int] = field(default_factory=dict)  # delivery id → answer 500 this many times
    received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def events(self, job_id: str) -> list[dict[str, Any]]:
        return [r for r in self.received if r["payload"].get("id") == job_id]

    def wait(self, job_id: str, test: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict[str, Any]:
        return wait_for(lambda: next((r for r in self.events(job_id) if test(r["payload"])), None), timeout,
                        f"webhook for {job_id}")


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            delivery = self.headers.get("X-Linkreel-Delivery", "")
            if state.failures.get(delivery, 0) > 0:
                state.failures[delivery] -= 1
                self.send_response(500)
                self.end_headers()
                return
            state.received.append({
                "payload": json.loads(body),
                "valid": webhooks.verify(state.secret, body, self.headers.get("X-Linkreel-Signature", "")),
                "delivery": self.headers.get("X-Linkreel-Delivery"),
                "content_type": self.headers.get("content-type"),
            })
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with serve_handler(Handler) as base:
        state.url = f"{base}/hook"
        yield state
