"""The API's conventions (contract §1): auth, error shapes, bodies, trailing slashes, pagination."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from linkreel.api.body import coerce_form, read_body
from linkreel.api.errors import ApiError, FieldErrors, validation_errors_to_drf
from linkreel.jobs.models import Link, utcnow
from tests.api_support import PUBLIC_URL, Api

pytest_plugins = ["tests.api_support"]  # fixtures: api, settings, shop

# --------------------------------------------------------------------------- authentication


def test_missing_credentials_is_401(api: Api) -> None:
    for headers in ({}, {"X-API-ID": api.api_id}, {"X-API-KEY": api.api_key}):
        r = api.client.get("/api/remaining_credits/", headers=headers)
        assert r.status_code == 401
        assert r.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("which", ["key", "id"])
def test_wrong_credentials_is_401(api: Api, which: str) -> None:
    headers = api.headers | ({"X-API-KEY": api.api_key + "x"} if which == "key" else {"X-API-ID": "nobody"})
    r = api.client.get("/api/remaining_credits/", headers=headers)
    assert r.status_code == 401
    assert r.json() == {"detail": "Incorrect authentication credentials."}


def test_disabled_workspace_is_403(api: Api) -> None:
    disabled = api.new_workspace(active=False)
    r = disabled.get("/api/voices/")
    assert r.status_code == 403
    assert r.json() == {"detail": "You do not have permission to perform this action."}


def test_keys_are_stored_hashed(api: Api) -> None:
    with api.app.state.db.session() as session:
        rows = session.execute(Link.metadata.tables["workspaces"].select()).mappings().all()
    assert rows and all(api.api_key not in json.dumps(dict(row), default=str) for row in rows)
    assert all(row["key_hash"].startswith("scrypt$") for row in rows)


def test_every_endpoint_needs_credentials(api: Api) -> None:
    for path in ("/api/links/", "/api/links/paginated/", "/api/voices/", "/api/voices/paginated/",
                 "/api/personas/", "/api/personas/paginated/", "/api/music_categories/", "/api/musics/",
                 "/api/remaining_credits/", f"/api/links/{uuid.uuid4()}/"):
        assert api.client.get(path).status_code == 401, path
    for path in ("/api/links/", "/api/links/link_with_params/"):
        assert api.client.post(path, json={}).status_code == 401, path


# --------------------------------------------------------------------------- errors and routing


def test_unknown_path_is_json_404(api: Api) -> None:
    for path in ("/nope", "/api/nope/", "/api/links/not-a-uuid/"):
        r = api.get(path)
        assert (r.status_code, r.json()) == (404, {"detail": "Not found."}), path


def test_wrong_method_is_405(api: Api) -> None:
    r = api.request("DELETE", "/api/links/")
    assert r.status_code == 405
    assert r.json() == {"detail": 'Method "DELETE" not allowed.'}
    r = api.post("/api/remaining_credits")
    assert r.json() == {"detail": 'Method "POST" not allowed.'}


def test_trailing_slash_is_optional_without_redirect(api: Api) -> None:
    for path in ("/api/remaining_credits", "/api/remaining_credits/", "/api/voices", "/api/personas/paginated"):
        r = api.get(path, follow_redirects=False)
        assert r.status_code == 200, path
    r = api.post("/api/links", json={}, follow_redirects=False)  # a POST body must survive: no redirect
    assert (r.status_code, r.json()) == (400, {"url": ["This field is required."]})


def test_unhandled_exception_is_logged_json_500(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    def boom() -> None:
        raise RuntimeError("kaboom")

    api.app.add_api_route("/api/boom/", boom)
    r = api.get("/api/boom/")
    assert (r.status_code, r.json()) == (500, {"detail": "Internal server error."})
    assert "kaboom" in caplog.text


def test_docs_and_openapi(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    assert "/api/links/" in schema["paths"] and "/api/links" not in schema["paths"]  # canonical form only
    assert {"ApiId", "ApiKey"} <= set(schema["components"]["securitySchemes"])
    body = schema["paths"]["/api/links/"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}
    assert api.client.get("/docs").status_code == 200


def test_field_errors_nest_and_key_list_items_by_index() -> None:
    errors = FieldErrors()
    errors.add(("caption_setting", "offset", "x"), "A valid number is required.")
    errors.add(("visual_styles", 2), '"Nope" is not a valid choice.')
    errors.add("url", "Enter a valid URL.")
    with pytest.raises(ApiError) as info:
        errors.raise_if_any()
    assert info.value.status_code == 400
    assert info.value.body == {
        "caption_setting": {"offset": {"x": ["A valid number is required."]}},
        "visual_styles": {"2": ['"Nope" is not a valid choice.']},
        "url": ["Enter a valid URL."],
    }


def test_pydantic_errors_become_drf_shapes() -> None:
    errors = [
        {"type": "missing", "loc": ("body", "link"), "msg": "Field required", "input": None},
        {"type": "int_parsing", "loc": ("query", "page"), "msg": "x", "input": "a"},
        {"type": "enum", "loc": ("body", "visual_styles", 1), "msg": "x", "input": "Nope"},
    ]
    assert validation_errors_to_drf(errors) == {
        "link": ["This field is required."],
        "page": ["A valid integer is required."],
        "visual_styles": {"1": ['"Nope" is not a valid choice.']},
    }


# --------------------------------------------------------------------------- request bodies


KINDS: dict[str, Any] = {"visual_styles": "list", "caption_setting": "object", "no_caption": "bool",
                         "video_length": "int", "volume": "float"}


@pytest.fixture
def echo() -> TestClient:
    """A bare app whose one route returns what read_body parsed."""
    app = FastAPI()
    from linkreel.api.errors import install_error_handlers

    install_error_handlers(app)

    @app.post("/echo")
    async def echo_body(request: Request) -> dict[str, Any]:
        return await read_body(request, KINDS)

    return TestClient(app)


def test_json_body(echo: TestClient) -> None:
    sent = {"visual_styles": ["A", "B"], "no_caption": True, "caption_setting": {"style": "neo"}}
    assert echo.post("/echo", json=sent).json() == sent


def test_form_body_converts_by_kind(echo: TestClient) -> None:
    form = [("visual_styles", "A"), ("visual_styles", "B"), ("no_caption", "1"), ("video_length", "30"),
            ("volume", "0.5"), ("caption_setting", '{"offset": {"x": 0, "y": 0.4}}'), ("name", "x")]
    r = echo.post("/echo", content="&".join(f"{k}={v}" for k, v in form),
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.json() == {"visual_styles": ["A", "B"], "no_caption": True, "video_length": 30, "volume": 0.5,
                        "caption_setting": {"offset": {"x": 0, "y": 0.4}}, "name": "x"}


def test_multipart_body_with_json_array_string(echo: TestClient) -> None:
    r = echo.post("/echo", data={"visual_styles": '["A", "B"]', "no_caption": "false"},
                  files={"ignored": ("a.txt", b"file part")})
    assert r.json() == {"visual_styles": ["A", "B"], "no_caption": False}


def test_unconvertible_form_values_stay_strings_for_the_validator() -> None:
    out = coerce_form([("no_caption", "maybe"), ("video_length", "30.5"), ("caption_setting", "{bad")], KINDS)
    assert out == {"no_caption": "maybe", "video_length": "30.5", "caption_setting": "{bad"}
    assert coerce_form([("visual_styles", "A")], KINDS) == {"visual_styles": ["A"]}
    assert coerce_form([("visual_styles[]", "A"), ("visual_styles[]", "B")], KINDS) == {"visual_styles": ["A", "B"]}
    assert coerce_form([("no_caption", "TRUE"), ("video_length", "")], KINDS) == {"no_caption": True,
                                                                                  "video_length": None}


def test_unsupported_media_type_is_415(echo: TestClient) -> None:
    r = echo.post("/echo", content=b"url=x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert r.json() == {"detail": 'Unsupported media type "text/plain" in request.'}


def test_bad_json_is_400_parse_error(echo: TestClient) -> None:
    r = echo.post("/echo", content=b'{"url": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("JSON parse error - Expecting value")


def test_json_that_is_not_an_object(echo: TestClient) -> None:
    r = echo.post("/echo", json=["a"])
    assert (r.status_code, r.json()) == (400, ["Invalid data. Expected a dictionary, but got list."])


def test_empty_body_is_an_empty_object(echo: TestClient) -> None:
    assert echo.post("/echo").json() == {}
    assert echo.post("/echo", content=b"", headers={"Content-Type": "application/json"}).json() == {}


def test_real_endpoint_reads_every_body_format(api: Api) -> None:
    """The same validation error whatever the encoding: the body reached the validator."""
    expected = {"url": ["Enter a valid URL."]}
    assert api.post("/api/links/", json={"url": "nope"}).json() == expected
    assert api.post("/api/links/", data={"url": "nope"}).json() == expected
    assert api.post("/api/links/", data={"url": "nope"}, files={"f": ("a", b"b")}).json() == expected
    r = api.post("/api/links/", content=b"<url/>", headers={"Content-Type": "application/xml"})
    assert r.status_code == 415


# --------------------------------------------------------------------------- lists and pages


def _add_links(api: Api, n: int) -> list[str]:
    """Links inserted straight into the DB (newest last), so list rules are tested without scraping."""
    with api.app.state.db.session() as session:
        workspace_id = session.execute(
            Link.metadata.tables["workspaces"].select().where(
                Link.metadata.tables["workspaces"].c.api_id == api.api_id)).mappings().one()["id"]
        now = utcnow()
        links = [Link(workspace_id=workspace_id, url=f"https://shop.example/{i}", title=f"P{i}",
                      image_urls=["https://shop.example/a.jpg"], created_at=now + timedelta(seconds=i))
                 for i in range(n)]
        session.add_all(links)
    return [link.id for link in links]


def test_plain_list_is_newest_first_and_filters_by_ids(api: Api) -> None:
    ids = _add_links(api, 3)
    foreign = _add_links(api.new_workspace(), 1)
    assert [x["id"] for x in api.get("/api/links/").json()] == ids[::-1]
    wanted = f"{ids[0]},{ids[2].upper()},{uuid.uuid4()},{foreign[0]}"  # unknown and foreign: left out
    assert [x["id"] for x in api.get(f"/api/links/?ids={wanted}").json()] == [ids[2], ids[0]]
    assert [x["id"] for x in api.get("/api/links/?ids=").json()] == ids[::-1]


def test_ids_limits(api: Api) -> None:
    too_many = ",".join(str(uuid.uuid4()) for _ in range(101))
    assert api.get(f"/api/links/?ids={too_many}").json() == {"ids": ["Maximum 100 entries allowed."]}
    assert api.get("/api/links/?ids=abc").json() == {"ids": ["Must be a valid UUID."]}
    assert api.get("/api/links/?ids=abc").status_code == 400
    hundred = ",".join(str(uuid.uuid4()) for _ in range(100))
    assert api.get(f"/api/links/?ids={hundred}").json() == []


def test_paginated_shape_and_links(api: Api) -> None:
    ids = _add_links(api, 5)[::-1]
    first = api.get("/api/links/paginated/?page_size=2&q=keep").json()
    assert first["count"] == 5 and first["previous"] is None
    assert [x["id"] for x in first["results"]] == ids[:2]
    assert first["next"] == f"{PUBLIC_URL}/api/links/paginated/?page=2&page_size=2&q=keep"
    second = api.get("/api/links/paginated/?page=2&page_size=2&q=keep").json()
    assert second["previous"] == f"{PUBLIC_URL}/api/links/paginated/?page=1&page_size=2&q=keep"
    assert second["next"] == f"{PUBLIC_URL}/api/links/paginated/?page=3&page_size=2&q=keep"
    last = api.get("/api/links/paginated?page=3&limit=2").json()  # limit is page_size's alias
    assert [x["id"] for x in last["results"]] == ids[4:] and last["next"] is None


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=2"])
def test_invalid_page_is_404(api: Api, query: str) -> None:
    _add_links(api, 3)
    r = api.get(f"/api/links/paginated/?{query}")
    assert (r.status_code, r.json()) == (404, {"detail": "Invalid page."})


def test_page_size_defaults_and_cap(api: Api) -> None:
    _add_links(api, 105)
    assert len(api.get("/api/links/paginated/").json()["results"]) == 10
    assert len(api.get("/api/links/paginated/?page_size=abc").json()["results"]) == 10
    capped = api.get("/api/links/paginated/?page_size=1000").json()
    assert len(capped["results"]) == 100
    assert capped["next"] == f"{PUBLIC_URL}/api/links/paginated/?page=2&page_size=1000"
    assert len(api.get("/api/links/paginated/?page_size=5").json()["results"]) == 5


def test_empty_first_page_is_fine(api: Api) -> None:
    assert api.get("/api/links/paginated/").json() == {"count": 0, "next": None, "previous": None, "results": []}
