"""Hostile input at the API edge: header injection through URLs, malformed and oversized bodies."""

from __future__ import annotations

import pytest

from tests.api_support import THREE_IMAGES, Api, images

pytest_plugins = ["tests.api_support"]

INJECTIONS = ["http://hooks.example.org/x\r\nX-Evil: 1", "http://hooks.example.org/x\nHost: evil",
              "http://hooks.example.org/\x00", "http://hooks.example.org/a b", "javascript:alert(1)",
              "file:///etc/passwd", "http://", "//hooks.example.org/x"]


@pytest.fixture
def link(api: Api, shop: str) -> str:
    r = api.post("/api/links/link_with_params/", json={"title": "Bottle", "image_urls": images(shop, *THREE_IMAGES)})
    assert r.status_code == 200, r.text
    return r.json()["id"]


@pytest.mark.parametrize("url", INJECTIONS)
@pytest.mark.parametrize("field", ["webhook_url", "background_music_url"])
def test_urls_with_control_characters_are_field_errors(api: Api, link: str, field: str, url: str) -> None:
    before = api.balance()
    r = api.post("/api/link_to_videos/", json={"link": link, "video_length": 15, "aspect_ratio": "9x16",
                                               "visual_style": "FullScreenTemplate", field: url})
    assert r.status_code == 400, r.text
    assert field in r.json()
    assert api.balance() == before


@pytest.mark.parametrize("url", INJECTIONS)
def test_link_urls_with_control_characters(api: Api, url: str) -> None:
    r = api.post("/api/links/", json={"url": url})
    assert r.status_code == 400 and "url" in r.json(), r.text


@pytest.mark.parametrize("body, content_type", [
    (b"{", "application/json"), (b"\xff\xfe\x00", "application/json"), (b"[1, 2]", "application/json"),
    (b'{"url": ' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json"), (b"\x00" * 100, "text/plain"),
])
def test_malformed_bodies_are_4xx(api: Api, body: bytes, content_type: str) -> None:
    r = api.post("/api/links/", content=body, headers={"content-type": content_type})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert isinstance(r.json(), dict | list)


def test_deeply_nested_form_values_are_4xx(api: Api) -> None:
    deep = "[" * 5000 + "]" * 5000
    r = api.post("/api/link_to_videos/", data={"link": "x", "visual_styles": deep, "caption_setting": deep})
    assert r.status_code == 400, r.text
