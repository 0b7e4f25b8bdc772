"""Links (contract §2) against the real app, scraping a shop served on loopback."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from linkreel.api.app import create_app
from linkreel.api.auth import create_workspace
from linkreel.jobs.links import link_image_dir
from linkreel.jobs.models import Link
from linkreel.scrape.brief import Brief
from linkreel.scrape.fetch import Fetcher
from tests.api_support import THREE_IMAGES, Api, images, make_settings

pytest_plugins = ["tests.api_support"]  # fixtures: api, settings, shop

# --------------------------------------------------------------------------- POST /api/links/


def test_scrape_a_product_page(api: Api, shop: str) -> None:
    url = f"{shop}/index.html"
    r = api.post("/api/links/", json={"url": url})
    assert r.status_code == 200, r.text
    body = r.json()
    uuid.UUID(body["id"])
    assert body["url"] == url
    inner = body["link"]
    assert inner["id"] == body["id"] and inner["url"] == url
    assert inner["title"] == "AeroBottle Pro 750 ml Insulated Steel Water Bottle"
    assert inner["description"].startswith("The AeroBottle Pro keeps drinks ice cold")
    assert inner["image_urls"][:2] == images(shop, "aero-teal.jpg", "aero-coral.jpg")
    assert inner["video_urls"] == []
    assert inner["logo_url"] == f"{shop}/img/aero-trio.jpg"
    assert inner["reviews"][0] == {"rating": 5.0, "text": "Still ice cold after a full day at the beach. "
                                   "Best bottle I have owned.", "author": "Maya R."}
    assert "Rated 4.8/5" in inner["ai_summary"] and "$34.95" in inner["ai_summary"]
    assert api.balance() == 99
    assert api.get(f"/api/links/{body['id']}/").json() == body

    with api.app.state.db.session() as session:  # the full brief is kept for the video pipeline
        link = session.get(Link, body["id"])
        assert link is not None
        brief = Brief.model_validate(link.brief)
    assert brief.price == "34.95" and all(Path(img.path or "").is_file() for img in brief.images)


def test_same_summary_every_time(api: Api, shop: str) -> None:
    first = api.post("/api/links/", json={"url": f"{shop}/index.html"}).json()
    second = api.post("/api/links", data={"url": f"{shop}/index.html"}).json()
    assert first["link"]["ai_summary"] == second["link"]["ai_summary"]
    assert first["id"] != second["id"]


@pytest.mark.parametrize(("body", "expected"), [
    ({}, {"url": ["This field is required."]}),
    ({"url": None}, {"url": ["This field is required."]}),
    ({"url": "not a url"}, {"url": ["Enter a valid URL."]}),
    ({"url": "ftp://shop.example/p/1"}, {"url": ["Enter a valid URL."]}),
    ({"url": "https://"}, {"url": ["Enter a valid URL."]}),
    ({"url": 12}, {"url": ["Enter a valid URL."]}),
    ({"url": ["https://a.example/"]}, {"url": ["Not a valid string."]}),
    ({"url": "https://shop.example/" + "a" * 1000}, {"url": ["Ensure this field has no more than 1000 characters."]}),
])
def test_url_validation(api: Api, body: dict, expected: dict) -> None:
    r = api.post("/api/links/", json=body)
    assert (r.status_code, r.json()) == (400, expected)
    assert api.balance() == 100


def test_page_without_images(api: Api, shop: str) -> None:
    r = api.post("/api/links/", json={"url": f"{shop}/noimg.html"})
    assert (r.status_code, r.json()) == (400, ["Link must have at least one image or one video."])
    assert api.get("/api/links/").json() == [] and api.balance() == 100


@pytest.mark.parametrize(("path", "reason"), [
    ("/missing.html", "answered HTTP 404"),
    ("/data.bin", "not a web page"),
])
def test_page_not_scrapable(api: Api, shop: str, path: str, reason: str) -> None:
    r = api.post("/api/links/", json={"url": shop + path})
    assert r.status_code == 400
    [message] = r.json()
    assert message.startswith("Failed to scrape url: ") and reason in message
    assert api.get("/api/links/").json() == [] and api.balance() == 100


def test_private_addresses_are_refused_by_default(tmp_path: Path, shop: str) -> None:
    settings = make_settings(tmp_path, allow_private_urls=False)
    with TestClient(create_app(settings)) as client:
        with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            _, api_id, api_key, _ = create_workspace(session, "t", 10)
        headers = {"X-API-ID": api_id, "X-API-KEY": api_key}
        for url in (f"{shop}/index.html", "http://10.0.0.1/p", "http://169.254.169.254/latest", "http://[::1]/"):
            r = client.post("/api/links/", json={"url": url}, headers=headers)
            assert r.status_code == 400
            assert r.json()[0].startswith("Failed to scrape url: blocked:"), r.json()


def test_fetch_allow_exempts_listed_networks(tmp_path: Path, shop: str) -> None:
    """LINKREEL_FETCH_ALLOW lets a test or intranet host through while the guard stays on."""
    settings = make_settings(tmp_path, allow_private_urls=False, fetch_allow="127.0.0.0/8")
    with Fetcher(settings) as fetcher:
        assert fetcher.get(f"{shop}/index.html").status == 200
    by_name = make_settings(tmp_path, allow_private_urls=False, fetch_allow="localhost")
    with Fetcher(by_name) as fetcher:
        assert fetcher.get(f"{shop.replace('127.0.0.1', 'localhost')}/index.html").status == 200
        with pytest.raises(Exception, match="blocked"):
            fetcher.get(f"{shop}/index.html")  # the literal address is not in the list


def test_insufficient_credits_before_anything(api: Api, shop: str) -> None:
    broke = api.new_workspace(credits=0)
    r = broke.post("/api/links/", json={"url": f"{shop}/index.html"})
    assert (r.status_code, r.json()) == (400, ["Insufficient credits: 1 required, 0 remaining."])
    assert broke.get("/api/links/").json() == []


# --------------------------------------------------------------------------- link_with_params


def test_link_with_params(api: Api, shop: str) -> None:
    body = {"title": "Trail Mug", "description": "Enamel mug.", "image_urls": images(shop, *THREE_IMAGES),
            "logo_url": f"{shop}/img/aero-trio.jpg", "reviews": {"anything": ["as", "sent"]}}
    r = api.post("/api/links/link_with_params/", json=body)
    assert r.status_code == 200, r.text
    link = r.json()
    assert link["url"] is None and link["link"]["url"] is None
    assert {k: link["link"][k] for k in body} == body
    assert link["link"]["video_urls"] == [] and link["link"]["ai_summary"].startswith("Trail Mug.")
    assert api.balance() == 99


def test_link_with_params_as_form_with_video(api: Api, shop: str) -> None:
    r = api.post("/api/links/link_with_params", data={"url": f"{shop}/p", "video_urls": f'["{shop}/clip.mp4"]'})
    assert r.status_code == 200, r.text
    assert r.json()["url"] == f"{shop}/p" and r.json()["link"]["video_urls"] == [f"{shop}/clip.mp4"]


def test_link_with_params_needs_three_images_without_video(api: Api, shop: str) -> None:
    r = api.post("/api/links/link_with_params/", json={"image_urls": images(shop, *THREE_IMAGES[:2])})
    assert (r.status_code, r.json()) == (400, ["Link must have at least 3 images when no video is provided."])
    assert api.balance() == 100


def test_link_with_params_media_must_download(api: Api, shop: str) -> None:
    urls = [*images(shop, "aero-teal.jpg", "missing.jpg"), f"{shop}/index.html"]
    r = api.post("/api/links/link_with_params/", json={
        "image_urls": urls, "video_urls": [f"{shop}/gone.mp4"], "logo_url": f"{shop}/img/nope.png"})
    assert r.status_code == 400
    assert r.json() == {
        "image_urls": {"1": ["Could not download this file."],
                       "2": ["Upload a valid image. The file you uploaded was either not an image or a "
                             "corrupted image."]},
        "video_urls": {"0": ["Could not download this file."]},
        "logo_url": ["Could not download this file."],
    }
    assert api.get("/api/links/").json() == [] and api.balance() == 100
    assert not any((api.app.state.settings.data_dir / "links").glob("*/images/*"))


def test_link_with_params_field_errors(api: Api) -> None:
    r = api.post("/api/links/link_with_params/", json={
        "image_urls": ["https://a.example/1.jpg", "nope", 3], "video_urls": "https://a.example/v.mp4",
        "title": "t" * 1001})
    assert r.status_code == 400
    assert r.json() == {
        "image_urls": {"1": ["Enter a valid URL."], "2": ["Enter a valid URL."]},
        "video_urls": ['Expected a list of items but got type "str".'],
        "title": ["Ensure this field has no more than 1000 characters."],
    }


# --------------------------------------------------------------------------- read, edit, isolation


def _params_link(api: Api, shop: str) -> dict:
    r = api.post("/api/links/link_with_params/", json={"title": "Mug", "image_urls": images(shop, *THREE_IMAGES)})
    assert r.status_code == 200, r.text
    return r.json()


def test_put_changes_only_given_fields(api: Api, shop: str) -> None:
    link = _params_link(api, shop)
    r = api.put(f"/api/links/{link['id']}/", json={"description": "Now with a lid.", "ai_summary": "ignored",
                                                    "image_urls": images(shop, "aero-graphite.jpg")})
    assert r.status_code == 200, r.text
    inner = r.json()
    assert inner["id"] == link["id"] and inner["title"] == "Mug" and inner["description"] == "Now with a lid."
    assert inner["image_urls"] == images(shop, "aero-graphite.jpg")
    assert inner["ai_summary"] != "ignored"
    assert api.get(f"/api/links/{link['id']}").json()["link"] == inner
    with api.app.state.db.session() as session:  # the brief follows the edit (for videos made later)
        brief = Brief.model_validate(session.get(Link, link["id"]).brief)
    assert brief.description == "Now with a lid." and [i.url for i in brief.images] == inner["image_urls"]
    assert api.balance() == 99  # edits are free


def test_patch_as_form(api: Api, shop: str) -> None:
    link = _params_link(api, shop)
    r = api.patch(f"/api/links/{link['id']}", data={"title": "Mug 2", "logo_url": ""})
    assert r.status_code == 200 and r.json()["title"] == "Mug 2" and r.json()["logo_url"] is None


def test_put_errors(api: Api, shop: str) -> None:
    link = _params_link(api, shop)
    r = api.put(f"/api/links/{link['id']}/", json={"image_urls": images(shop, "aero-teal.jpg", "missing.jpg")})
    assert r.json() == {"image_urls": {"1": ["Could not download this file."]}}
    r = api.put(f"/api/links/{link['id']}/", json={"image_urls": []})
    assert r.json() == ["Link must have at least one image or one video."]
    r = api.put(f"/api/links/{link['id']}/", json={"logo_url": "x" * 10})
    assert r.json() == {"logo_url": ["Enter a valid URL."]}
    assert api.get(f"/api/links/{link['id']}/").json() == link  # nothing changed


def test_other_workspaces_links_do_not_exist(api: Api, shop: str) -> None:
    link = _params_link(api, shop)
    other = api.new_workspace()
    for method in ("GET", "PUT", "PATCH"):
        r = other.request(method, f"/api/links/{link['id']}/", json={"title": "mine now"})
        assert (r.status_code, r.json()) == (404, {"detail": "Not found."}), method
    assert other.get("/api/links/").json() == []
    assert other.get(f"/api/links/?ids={link['id']}").json() == []
    assert api.get(f"/api/links/{link['id']}/").json()["link"]["title"] == "Mug"


def test_unknown_and_malformed_ids(api: Api) -> None:
    for link_id in (str(uuid.uuid4()), "nope", "1"):
        assert api.get(f"/api/links/{link_id}/").status_code == 404
        assert api.put(f"/api/links/{link_id}/", json={}).status_code == 404


def test_images_are_kept_per_link(api: Api, shop: str) -> None:
    link = _params_link(api, shop)
    folder = link_image_dir(api.app.state.settings, link["id"])
    assert len(list(folder.iterdir())) == 3


def test_idempotency_key_replays_without_a_new_charge(api: Api, shop: str) -> None:
    key = {"Idempotency-Key": "order-42"}
    body = {"title": "Mug", "image_urls": images(shop, *THREE_IMAGES)}
    first = api.post("/api/links/link_with_params/", json=body, headers=key)
    again = api.post("/api/links/link_with_params", json=body, headers=key)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert api.balance() == 99 and len(api.get("/api/links/").json()) == 1
    other = api.post("/api/links/link_with_params/", json={**body, "title": "Cup"}, headers=key)
    assert (other.status_code, other.json()) == (400, ["Idempotency-Key reused with a different request."])
