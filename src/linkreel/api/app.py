"""The ASGI app: `create_app(settings)` → FastAPI, with every router, error shape and /media.

    from linkreel.api.app import create_app
    app = create_app(Settings())          # migrates the database unless migrate_db=False
    uvicorn.run(app, host="127.0.0.1", port=8000)

`app.state` holds `settings`, `db` (jobs.db.Database), `fetcher` (the SSRF-safe Fetcher) and
`storage` (linkreel.storage); read
them through `linkreel.api.deps`. Routers come from `ROUTERS` (each module exposes `router`); the
video-job router (`linkreel.api.routes.videos`) and the web pages (`linkreel.web`, exposing
`router` or `mount(app)`) are included when those modules exist.

Every route answers with and without its trailing slash, directly (a redirect would lose a POST
body): `TrailingSlashMiddleware` serves `/api/links` as `/api/links/` when only that form is a
route. Define routes in their canonical form (with the slash, as in the contract); the schema
shows that form only. Finished media in the storage backend (linkreel.storage) is served at
`/media/...` (api/routes/media.py).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import FastAPI
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from linkreel import __version__
from linkreel.api.errors import install_error_handlers
from linkreel.api.limits import BodyLimitMiddleware, RateLimiter
from linkreel.config import Settings
from linkreel.jobs.db import Database, migrate
from linkreel.scrape.fetch import Fetcher
from linkreel.storage import open_storage

log = logging.getLogger("linkreel.api")

# Our routers, in registration order (fixed paths such as /paginated/ before /{id}/ within each).
ROUTERS = (
    "linkreel.api.routes.links",
    "linkreel.api.routes.catalog",
    "linkreel.api.routes.credits",
    "linkreel.api.routes.ops",
)
# Modules that may not exist yet (built in parallel); included when they do.
OPTIONAL_ROUTERS = ("linkreel.api.routes.videos",)
WEB_MODULE = "linkreel.web"

DESCRIPTION = (
    "Creatify-compatible URL-to-video API. Authenticate every request with the `X-API-ID` and "
    "`X-API-KEY` headers (`linkreel keys create` prints a pair). Paths work with and without the "
    "trailing slash."
)


def _optional_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):  # the module itself is missing
            return None
        raise  # it exists but one of its own imports is broken: say so


class TrailingSlashMiddleware:
    """Serve `/a/b` as `/a/b/` (and the reverse) when only the other form is a route. No redirect.

    It asks the app's own router, so it covers every router (ours, the video jobs', the web
    pages') without registering twins; a path that matches as sent is never touched.
    """

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    def _matches(self, scope: Scope) -> bool:
        return any(route.matches(scope)[0] != Match.NONE for route in self.router.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path not in ("", "/") and not self._matches(scope):
            other = path[:-1] if path.endswith("/") else path + "/"
            candidate = {**scope, "path": other, "raw_path": other.encode()}
            if self._matches(candidate):
                scope = candidate
        await self.app(scope, receive, send)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.fetcher.close()
    app.state.db.dispose()


def create_app(settings: Settings | None = None, *, migrate_db: bool = True) -> FastAPI:
    settings = settings or Settings()
    if migrate_db:
        migrate(settings)
    app = FastAPI(
        title="linkreel",
        version=__version__,
        description=DESCRIPTION,
        lifespan=_lifespan,
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.db = Database(settings)
    app.state.fetcher = Fetcher(settings)
    app.state.storage = open_storage(settings)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    install_error_handlers(app)

    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
    for name in OPTIONAL_ROUTERS:
        module = _optional_module(name)
        if module is not None:
            app.include_router(module.router)
        else:
            log.info("%s not available; its routes are not served", name)
    web = _optional_module(WEB_MODULE)
    if web is not None:
        if hasattr(web, "mount"):
            web.mount(app)
        else:
            app.include_router(web.router)

    app.add_middleware(TrailingSlashMiddleware, router=app.router)
    # a photo and its form fields: the route checks the photo's own size (settings.photo_max_bytes)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       uploads={"/api/personas": settings.photo_max_bytes + 64 * 1024})
    # Last: its catch-all path must not shadow the fixed /media/voices/… and /media/music/… routes.
    app.include_router(importlib.import_module("linkreel.api.routes.media").router)
    return app
