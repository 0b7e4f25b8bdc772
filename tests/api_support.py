"""Fixtures for API tests: a real app on a temp SQLite file, workspaces with real keys, a shop.

Use them with `pytest_plugins = ["tests.api_support"]` in the test module.
The shop is examples/aerobottle plus a few extra files, served on loopback by `serve_dir`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from linkreel.api.app import create_app
from linkreel.api.auth import create_workspace
from linkreel.config import Settings
from tests.helpers import EXAMPLES, serve_dir

PUBLIC_URL = "https://linkreel.test"

NO_IMAGE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Plain Notebook</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",
 "name": "Plain Notebook", "description": "A notebook with no pictures at all."}</script>
</head><body><h1>Plain Notebook</h1><p>A notebook with no pictures at all.</p></body></html>"""


@dataclass
class Api:
    """A test client plus the keys of one workspace; `as_(other)` switches workspace."""

    app: FastAPI
    client: TestClient
    api_id: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-ID": self.api_id, "X-API-KEY": self.api_key}

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def new_workspace(self, credits: float = 100, active: bool = True) -> Api:
        with self.app.state.db.session() as session:
            workspace, api_id, api_key, _ = create_workspace(session, "other", credits)
            workspace.active = active
        return Api(self.app, self.client, api_id, api_key)

    def balance(self) -> float:
        return self.get("/api/remaining_credits/").json()["remaining_credits"]


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"allow_private_urls": True, "public_url": PUBLIC_URL, "fetch_timeout_s": 5.0}
    return Settings(data_dir=data_dir, **{**values, **overrides})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        with app.state.db.session() as session:
            _, api_id, api_key, _ = create_workspace(session, "test", 100)
        yield Api(app, client, api_id, api_key)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the sample shop: /index.html, /img/*.jpg, /noimg.html, /clip.mp4, /data.bin."""
    root = tmp_path_factory.mktemp("shop")
    shutil.copytree(EXAMPLES / "aerobottle", root, dirs_exist_ok=True)
    (root / "noimg.html").write_text(NO_IMAGE_PAGE, encoding="utf-8")
    (root / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(2000))
    (root / "data.bin").write_bytes(bytes(range(256)) * 4)
    with serve_dir(root) as base:
        yield base


def images(shop: str, *names: str) -> list[str]:
    return [f"{shop}/img/{name}" for name in names]


THREE_IMAGES = ("aero-teal.jpg", "aero-coral.jpg", "aero-desk.jpg")
