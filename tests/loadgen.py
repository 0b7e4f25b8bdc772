"""A lean HTTP/1.1 load generator for loopback tests: one keep-alive connection per client on raw asyncio
streams, about 50 µs of client CPU per request.

httpx's AsyncClient costs a few milliseconds of CPU per request with 200 connections open: on these
2-core machines the generator itself used more than a core and its own event loop delay showed up as
seconds of "server latency". Only what a JSON API test needs: GET and POST with a JSON body, responses
with Content-Length (uvicorn sends it for every non-streamed response).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float  # request written → whole response read


@dataclass
class Connection:
    base: str
    headers: dict[str, str] = field(default_factory=dict)
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> Answer:
        if self._writer is None or self._writer.is_closing():
            parts = urlsplit(self.base)
            self._reader, self._writer = await asyncio.open_connection(parts.hostname, parts.port)
        assert self._reader is not None
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {urlsplit(self.base).netloc}",
                *(f"{k}: {v}" for k, v in self.headers.items())]
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        start = time.perf_counter()
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        status_line, *lines = (await self._reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
        data = await self._reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            self.close()
        return Answer(int(status_line.split()[1]), data, time.perf_counter() - start)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]
