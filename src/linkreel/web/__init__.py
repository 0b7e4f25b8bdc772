"""Web pages: the embeddable preview player, and the signed-in web app.

* `/preview/{media_job}/` plays a preview's low-resolution video and lists its storyboard scenes
  (role, spoken line, on-screen text; a click seeks the video). It is public (the id is an
  unguessable UUID) and may be framed by any origin: `Content-Security-Policy: frame-ancestors *`.
* The app (web/pages.py: sign in, jobs, new ad, compare, `/editor/{job_id}/`) signs in with the
  workspace's API id + key (web/session.py) and acts through the API's own route functions
  (web/actions.py, `/web/api/…`); job status streams as server-sent events (web/events.py).
  Templates in web/templates, one CSS and one script in web/static.

Nothing else of the site may be framed: `mount(app)` adds a middleware that sends
`X-Frame-Options: DENY` and `frame-ancestors 'none'` on every other response.

The preview page reads `<media_job>/preview.json` from storage, written by the job runner, so it needs no
database; it refreshes itself while the preview video is still being rendered.
"""

from __future__ import annotations

import html
import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from linkreel.api.errors import ApiError
from linkreel.api.pagination import is_uuid
from linkreel.web.session import CsrfRejected, NotSignedIn

router = APIRouter(include_in_schema=False)

FRAMEABLE_PREFIX = "/preview/"

_STYLE = """
body{margin:0;font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#111216;color:#eceef2}
main{display:flex;gap:20px;padding:16px;flex-wrap:wrap;justify-content:center}
.player{flex:0 1 auto;display:flex;align-items:center;justify-content:center}
video{max-height:calc(100vh - 32px);max-width:100%;border-radius:10px;background:#000}
.wait{width:280px;aspect-ratio:9/16;display:flex;align-items:center;justify-content:center;border-radius:10px;
background:#1d1f26;color:#9aa0ad;text-align:center;padding:12px}
aside{flex:1 1 260px;max-width:460px}
h1{font-size:17px;margin:4px 0 2px}.meta{color:#9aa0ad;font-size:13px;margin-bottom:10px}
ol{list-style:none;padding:0;margin:0}li{padding:8px 10px;border-radius:8px;margin-bottom:6px;background:#1d1f26;
cursor:pointer}li.on{outline:2px solid #ffd600}.role{font-size:11px;text-transform:uppercase;letter-spacing:.06em;
color:#ffd600}.screen{color:#9aa0ad;font-size:13px}
table{border-collapse:collapse}td,th{padding:4px 10px;text-align:left;border-bottom:1px solid #2a2d36}
a{color:#7cc4ff}
"""

_SEEK_JS = """
const v=document.querySelector('video');const items=[...document.querySelectorAll('li[data-start]')];
items.forEach(li=>li.addEventListener('click',()=>{if(v){v.currentTime=parseFloat(li.dataset.start);v.play();}}));
if(v){v.addEventListener('timeupdate',()=>{let cur=null;for(const li of items){if(parseFloat(li.dataset.start)<=
v.currentTime+0.05)cur=li;}items.forEach(li=>li.classList.toggle('on',li===cur));});}
"""


def _page(title: str, body: str, nonce: str, refresh: int | None = None) -> str:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">{meta}'
            f"<title>{html.escape(title)}</title><style nonce=\"{nonce}\">{_STYLE}</style></head>"
            f"<body>{body}</body></html>")


def _csp(nonce: str, frame_ancestors: str) -> str:
    return (f"default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'nonce-{nonce}'; "
            f"script-src 'nonce-{nonce}'; frame-ancestors {frame_ancestors}")


def read_preview(request: Request, media_job: str) -> dict[str, Any] | None:
    """A preview's page data (`<media_job>/preview.json`, written by the job runner), or None."""
    if not is_uuid(media_job):
        return None
    data = request.app.state.storage.get_bytes(f"{media_job.lower()}/preview.json")
    try:
        return json.loads(data) if data is not None else None
    except ValueError:
        return None


def _scene_item(scene: dict[str, Any]) -> str:
    e = html.escape
    start = "" if scene.get("start") is None else f' data-start="{float(scene["start"]):.2f}"'
    screen = f'<div class="screen">on screen: {e(scene["on_screen"])}</div>' if scene.get("on_screen") else ""
    return f'<li{start}><div class="role">{e(scene["role"])}</div><div>{e(scene["text"])}</div>{screen}</li>'


@router.get("/preview/{media_job}/")
def preview_page(media_job: str, request: Request) -> HTMLResponse:
    data = read_preview(request, media_job)
    if data is None:
        raise ApiError.not_found()
    nonce = secrets.token_urlsafe(12)
    mj = html.escape(data["media_job"])
    if data.get("video"):
        # Same-origin paths: the page works whatever host name the viewer used to reach it.
        player = (f'<video src="/media/{mj}/preview.mp4" poster="/media/{mj}/preview.jpg" controls playsinline '
                  f'preload="metadata"></video>')
        refresh = None
    else:
        player = '<div class="wait">Rendering the preview video…<br>this page refreshes by itself.</div>'
        refresh = 4
    scenes = "".join(_scene_item(scene) for scene in data.get("scenes", []))
    meta = " · ".join(html.escape(str(x)) for x in (data.get("visual_style"), data.get("aspect_ratio"),
                                                     data.get("language"), f'{data.get("duration", 0):g} s'))
    body = (f'<main><div class="player">{player}</div><aside><h1>{html.escape(data.get("title") or "")}</h1>'
            f'<div class="meta">{meta}</div><ol>{scenes}</ol></aside></main>'
            f'<script nonce="{nonce}">{_SEEK_JS}</script>')
    return HTMLResponse(_page(data.get("title") or "Preview", body, nonce, refresh), headers={
        "Content-Security-Policy": _csp(nonce, "*"), "Cache-Control": "no-store"})


class FrameGuardMiddleware:
    """Every response but the preview player refuses to be framed (clickjacking)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(FRAMEABLE_PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-frame-options"]
                headers.append((b"x-frame-options", b"DENY"))
                if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", b"frame-ancestors 'none'"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)


WEB_API_PREFIX = "/web/api/"
HERE = Path(__file__).parent


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith(WEB_API_PREFIX):
        return JSONResponse({"detail": "Sign in first."}, status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")  # keeps ?preview=
    return RedirectResponse(f"/signin/?next={quote(target)}", status_code=303)


async def _csrf_rejected(request: Request, exc: Exception) -> Response:
    return JSONResponse({"detail": "The form is out of date (CSRF check failed); reload the page."}, status_code=403)


def mount(app: FastAPI) -> None:
    """Called by `create_app`: the pages, the app's JSON, static files, and the frame guard."""
    # These modules import this package: import them once it exists.
    from linkreel.web import actions, caption_sample, events, pages

    app.state.web_templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                          autoescape=select_autoescape(["html"]))
    app.include_router(router)
    app.include_router(pages.router)
    app.include_router(actions.router)
    app.include_router(events.router)
    app.include_router(caption_sample.router)
    app.mount("/web/static", StaticFiles(directory=HERE / "static"), name="web-static")
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    app.add_middleware(FrameGuardMiddleware)
