"""A bounded schemathesis run over /openapi.json for links, catalogs and credits: no 5xx, ever, on
SQLite and (with `make services`) on PostgreSQL.

The fetcher keeps its SSRF guard but talks to an in-process shop (httpx.MockTransport, its
documented test seam) and a resolver that answers with a public address, so generated URLs
never touch the network and answer fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

from linkreel.api.app import create_app
from linkreel.api.auth import create_workspace
from linkreel.jobs.models import Link
from linkreel.scrape.fetch import Fetcher
from tests.api_support import make_settings
from tests.cluster_support import reset_database

MY_PATHS = r"^/api/(links|personas|voices|music_categories|musics|remaining_credits)"
_HEADERS: dict[str, str] = {}
_LINK_ID: list[str] = []  # a real link, so PUT/PATCH bodies get past the 404


def _shop(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith(".html"):
        return httpx.Response(200, html="<html><head><title>Thing</title></head><body>no product</body></html>")
    return httpx.Response(404)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app on its default SQLite file, and on the `make services` PostgreSQL (the deployment's)."""
    database: dict[str, str] = {}
    if request.param == "postgresql":
        url = os.environ.get("LINKREEL_TEST_DATABASE_URL", "")
        if not url.startswith("postgresql"):
            pytest.skip("LINKREEL_TEST_DATABASE_URL is not a PostgreSQL URL: run `make services`")
        reset_database(url)
        database = {"database_url": url}
    conf = make_settings(Path(tmp_path_factory.mktemp("schema")), allow_private_urls=False, fetch_timeout_s=1.0,
                         **database)
    application = create_app(conf)
    application.state.fetcher = Fetcher(conf, transport=httpx.MockTransport(_shop),
                                        resolver=lambda host, port: ["93.184.215.14"])
    with application.state.db.session() as session:
        workspace, api_id, api_key, _ = create_workspace(session, "schemathesis", 1000)
        link = Link(workspace_id=workspace.id, title="Thing", image_urls=["https://shop.example/a.jpg"])
        session.add(link)
    _HEADERS.update({"X-API-ID": api_id, "X-API-KEY": api_key})
    _LINK_ID.append(link.id)
    yield application
    application.state.fetcher.close()


def test_no_server_errors(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex=MY_PATHS)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15  # links x7, personas x3, voices x2, music x2, credits

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_5xx(case: schemathesis.Case) -> None:
            if case.path_parameters and "link_id" in case.path_parameters:
                case.path_parameters["link_id"] = _LINK_ID[0]
            response = case.call(headers=_HEADERS)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}")
            if response.status_code >= 400:  # every error is one of the contract's JSON shapes
                assert isinstance(response.json(), list | dict)

        no_5xx()
