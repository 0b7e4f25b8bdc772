"""Request limits: body size (413), per-workspace rate (429 + Retry-After), unfinished-jobs cap (429)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from linkreel.api.app import create_app
from linkreel.api.auth import create_workspace
from linkreel.api.limits import RateLimiter
from tests.api_support import THREE_IMAGES, Api, images, make_settings

pytest_plugins = ["tests.api_support"]


def _api(tmp_path: Path, **overrides: object) -> Iterator[Api]:
    app = create_app(make_settings(tmp_path / "data", **overrides))
    with TestClient(app) as client:
        with app.state.db.session() as s:
            _, api_id, api_key, _ = create_workspace(s, "limits", 100)
        yield Api(app, client, api_id, api_key)


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Api]:
    yield from _api(tmp_path, max_body_bytes=10_000, rate_limit_per_minute=5, max_active_jobs=1)


def test_declared_oversized_body_is_refused(small: Api) -> None:
    r = small.post("/api/links/", json={"url": "https://shop.test/p", "pad": "x" * 20_000})
    assert r.status_code == 413
    assert r.json() == {"detail": "Request body is too large (the limit is 10000 bytes)."}


def test_streamed_oversized_body_is_refused(small: Api) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the size is only known while reading
        yield b'{"url": "https://shop.test/p", "pad": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}'

    r = small.post("/api/links/", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_rate_limit_per_workspace(small: Api) -> None:
    answers = [small.get("/api/remaining_credits/") for _ in range(6)]
    assert [r.status_code for r in answers[:5]] == [200] * 5
    throttled = answers[5]
    assert throttled.status_code == 429
    wait = int(throttled.headers["Retry-After"])
    assert 1 <= wait <= 12  # 5 per minute: one request every 12 s
    assert throttled.json() == {"detail": f"Request was throttled. Expected available in {wait} seconds."}
    assert small.new_workspace().get("/api/remaining_credits/").status_code == 200  # others are not affected


def test_rate_limiter_refills() -> None:
    limiter = RateLimiter(per_minute=60)
    assert all(limiter.take("w") is None for _ in range(60))
    wait = limiter.take("w")
    assert wait is not None and 0 < wait <= 1.0
    assert RateLimiter(per_minute=0).take("w") is None  # 0 = no limit


def test_unfinished_jobs_cap(small: Api, shop: str) -> None:
    link = small.post("/api/links/link_with_params/", json={"title": "Bottle",
                                                            "image_urls": images(shop, *THREE_IMAGES)})
    assert link.status_code == 200, link.text
    body = {"link": link.json()["id"], "video_length": 15, "aspect_ratio": "9x16",
            "visual_style": "FullScreenTemplate"}
    first = small.post("/api/link_to_videos/", json=body)  # no worker runs here: it stays in the queue
    assert first.status_code == 200 and first.json()["status"] == "in_queue"
    second = small.post("/api/link_to_videos/", json=body)
    assert second.status_code == 429
    assert second.json()["detail"].startswith("Too many videos in progress (1; the limit is 1).")
    assert small.balance() == 100 - 1 - 5  # the refused request cost nothing
