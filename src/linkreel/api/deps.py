"""FastAPI dependencies for the objects `create_app` keeps in `app.state`.

    from linkreel.api.deps import DbDep, SettingsDep, FetcherDep

    @router.get("/api/things/")
    def things(db: DbDep, settings: SettingsDep): ...

`app.state.settings` (Settings), `app.state.db` (jobs.db.Database), `app.state.fetcher`
(scrape.fetch.Fetcher, the one SSRF-safe fetcher; thread-safe, shared) and `app.state.storage`
(linkreel.storage: where media lives) are set by `create_app`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from linkreel.config import Settings
from linkreel.jobs.db import Database
from linkreel.scrape.fetch import Fetcher
from linkreel.storage import Storage


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_fetcher(request: Request) -> Fetcher:
    return request.app.state.fetcher


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[Database, Depends(get_db)]
def get_storage(request: Request) -> Storage:
    return request.app.state.storage


FetcherDep = Annotated[Fetcher, Depends(get_fetcher)]
StorageDep = Annotated[Storage, Depends(get_storage)]
