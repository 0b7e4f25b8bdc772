"""The web app without a browser: sessions, CSRF, framing, and pages over the API's own functions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from linkreel.api.app import create_app
from linkreel.api.auth import create_workspace
from linkreel.api.errors import ApiError
from linkreel.web.actions import script_from_lines
from tests.api_support import make_settings


@pytest.fixture
def web(tmp_path: Path) -> tuple[TestClient, str, str]:
    app = create_app(make_settings(tmp_path / "data"))
    with app.state.db.session() as s:
        _, api_id, api_key, _ = create_workspace(s, "web", 50)
    return TestClient(app), api_id, api_key


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def _sign_in(client: TestClient, api_id: str, api_key: str) -> str:
    token = _token(client.get("/signin/").text)
    r = client.post("/signin/", data={"api_id": api_id, "api_key": api_key, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/jobs/"
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/jobs/").text).group(1)


def test_signin_sets_a_signed_httponly_lax_cookie(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    token = _token(client.get("/signin/").text)
    r = client.post("/signin/", data={"api_id": api_id, "api_key": api_key, "csrf_token": token},
                    follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("lr_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert api_key not in cookie and api_key not in r.headers["location"]
    assert client.get("/web/api/jobs/").json() == {"jobs": [], "remaining_credits": 50.0}


def test_signin_errors_keep_the_id_and_say_why(web: tuple[TestClient, str, str]) -> None:
    client, api_id, _ = web
    token = _token(client.get("/signin/").text)
    r = client.post("/signin/", data={"api_id": api_id, "api_key": "nope", "csrf_token": token})
    assert r.status_code == 401 and "do not match" in r.text and f'value="{api_id}"' in r.text
    r = client.post("/signin/", data={"api_id": "", "api_key": "", "csrf_token": token})
    assert r.status_code == 400 and "Enter your API id." in r.text and "Enter your API key." in r.text
    assert "lr_session" not in client.cookies


def test_signin_without_its_csrf_token_is_refused(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    client.get("/signin/")
    r = client.post("/signin/", data={"api_id": api_id, "api_key": api_key, "csrf_token": "forged"},
                    follow_redirects=False)
    assert r.status_code == 403 and "lr_session" not in client.cookies


def test_writes_need_the_sessions_csrf_token(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    csrf = _sign_in(client, api_id, api_key)
    assert client.post("/web/api/links/", json={"url": "x"}).status_code == 403
    assert client.post("/web/api/links/", json={"url": "x"}, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    r = client.post("/web/api/links/", json={"url": "not a url"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and "url" in r.json()  # the API's own validation, field-shaped
    assert client.post("/signout/", data={"csrf_token": "bad"}).status_code == 403
    assert client.get("/web/api/jobs/").status_code == 200  # still signed in


def test_tampered_or_missing_session_is_refused(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    _sign_in(client, api_id, api_key)
    value = client.cookies["lr_session"]
    client.cookies.clear()
    client.cookies.set("lr_session", value[:-4] + ("0000" if not value.endswith("0000") else "1111"))
    assert client.get("/web/api/jobs/").status_code == 401
    r = client.get("/new/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin/?next=/new/"
    r = client.get("/editor/abc/?preview=def", follow_redirects=False)  # the API's editor_url keeps its query
    assert r.headers["location"] == "/signin/?next=/editor/abc/%3Fpreview%3Ddef"


def test_signout_ends_the_session(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    csrf = _sign_in(client, api_id, api_key)
    r = client.post("/signout/", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin/"
    assert client.get("/web/api/jobs/").status_code == 401


def test_app_pages_refuse_framing_and_preview_allows_it(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    _sign_in(client, api_id, api_key)
    for path in ("/signin/", "/jobs/", "/new/"):
        r = client.get(path)
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    new = client.get("/new/").text
    assert "/web/static/app.js" in new and "FullScreenTemplate" in new  # the catalog is embedded for the script
    assert client.get("/web/static/app.css").status_code == 200


def test_next_only_goes_to_our_own_paths(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    token = _token(client.get("/signin/?next=//evil.example/").text)
    r = client.post("/signin/", data={"api_id": api_id, "api_key": api_key, "csrf_token": token,
                                      "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/jobs/"


def test_scene_lines_become_one_sentence_each() -> None:
    assert script_from_lines(["Hook here", "  Buy now! ", ""]) == "Hook here. Buy now!"
    with pytest.raises(ApiError):
        script_from_lines(["", "  "])
    with pytest.raises(ApiError):
        script_from_lines([3])


def test_jobs_page_shows_the_credit_history(web: tuple[TestClient, str, str]) -> None:
    client, api_id, api_key = web
    _sign_in(client, api_id, api_key)
    page = client.get("/jobs/").text
    assert "Credit history" in page and "Credits added" in page and '<td class="num">50</td>' in page
    assert '<span id="balance">50</span>' in page
