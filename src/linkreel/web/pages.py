"""The signed-in web app's HTML pages: sign in/out, jobs, new ad, compare previews, editor.

Pages are Jinja2 templates (`web/templates/`) with one stylesheet and one script (`web/static/`);
the script calls `/web/api/…` (web/actions.py) for everything that changes state. Data a page's
script needs is embedded as JSON in `<script type="application/json" id="page-data">`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment
from sqlalchemy import select

from linkreel.api.auth import authenticate
from linkreel.api.errors import ApiError
from linkreel.api.routes.catalog import custom_body, music_body, persona_body, voice_body
from linkreel.api.video_params import (
    ASPECT_RATIOS,
    CAPTION_STYLES,
    LANGUAGE_CODES,
    SCRIPT_STYLES,
    VIDEO_LENGTHS,
    VISUAL_STYLES,
)
from linkreel.avatars import custom
from linkreel.avatars.personas import FILTERS as PERSONA_FILTERS
from linkreel.avatars.personas import personas
from linkreel.jobs import credits
from linkreel.jobs.models import CreditEntry
from linkreel.languages import LANGUAGES
from linkreel.media import music
from linkreel.media.templates import SAFE_AREAS
from linkreel.media.templates import get_style as get_template
from linkreel.pipeline import presenter_persona
from linkreel.scrape.brief import Brief
from linkreel.voice import catalog as voice_catalog
from linkreel.web import actions, read_preview
from linkreel.web.session import (
    PRESESSION_COOKIE,
    CsrfRejected,
    SignedIn,
    WebSession,
    check_csrf,
    check_presession,
    clear_cookie,
    issue_cookie,
    presession_token,
    read_session,
    revoke,
)

router = APIRouter(include_in_schema=False)

# Media may live on LINKREEL_PUBLIC_URL or S3 (absolute URLs); scripts and styles only from here.
PAGE_CSP = ("default-src 'self'; img-src 'self' data: http: https:; media-src 'self' http: https:; "
            "style-src 'self'; script-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; "
            "base-uri 'none'; object-src 'none'")


def _render(request: Request, template: str, status: int = 200, session: WebSession | None = None,
            data: dict[str, Any] | None = None, **context: Any) -> HTMLResponse:
    env: Environment = request.app.state.web_templates
    with request.app.state.db.session() as s:
        balance = credits.balance(s, session.workspace.id) if session else None
    page = env.get_template(template).render(
        session=session, csrf_token=session.csrf_token if session else "", balance=balance,
        path=request.url.path, page_data=json.dumps(data or {}).replace("</", "<\\/"), **context)
    return HTMLResponse(page, status_code=status,
                        headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store"})


def _safe_next(target: str | None) -> str:
    """Only our own paths: `//evil.example` or `https://…` would be an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/jobs/"


# --------------------------------------------------------------------------- sign in / out


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse("/jobs/" if read_session(request) else "/signin/", status_code=303)


def _signin_page(request: Request, status: int = 200, errors: dict[str, str] | None = None, api_id: str = "",
                 next_path: str = "/jobs/") -> HTMLResponse:
    token = presession_token(request)
    response = _render(request, "signin.html", status, errors=errors or {}, api_id=api_id, next_path=next_path,
                       signin_token=token)
    response.set_cookie(PRESESSION_COOKIE, token, httponly=True, samesite="strict", path="/signin/")
    return response


@router.get("/signin/")
def signin_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
    if read_session(request):
        return RedirectResponse(_safe_next(next), status_code=303)
    return _signin_page(request, next_path=_safe_next(next))


@router.post("/signin/")
def signin(request: Request, api_id: Annotated[str, Form()] = "", api_key: Annotated[str, Form()] = "",
           csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/jobs/") -> Response:  # noqa: A002
    next_path = _safe_next(next)
    try:
        check_presession(request, csrf_token)
    except CsrfRejected:
        return _signin_page(request, 403, {"form": "Your session expired. Please sign in again."}, api_id.strip(),
                            next_path)
    errors = {}
    if not api_id.strip():
        errors["api_id"] = "Enter your API id."
    if not api_key.strip():
        errors["api_key"] = "Enter your API key."
    if errors:
        return _signin_page(request, 400, errors, api_id.strip(), next_path)
    try:
        with request.app.state.db.session() as s:
            workspace = authenticate(s, api_id, api_key.strip())
    except ApiError as exc:
        message = ("This workspace is disabled." if exc.status_code == 403
                   else "This API id and key do not match a workspace.")
        return _signin_page(request, exc.status_code, {"api_key": message}, api_id.strip(), next_path)
    response = RedirectResponse(next_path, status_code=303)
    issue_cookie(response, request, workspace)
    response.delete_cookie(PRESESSION_COOKIE, path="/signin/")
    return response


@router.post("/signout/")
def signout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    session = read_session(request)
    if session is not None:
        check_csrf(session, csrf_token)
        revoke(request)
    response = RedirectResponse("/signin/", status_code=303)
    clear_cookie(response)
    return response


# --------------------------------------------------------------------------- the app


HISTORY_ROWS = 20


def _kind_label(kind: str) -> str:
    """Ledger kinds ("render:<media_job>", "refund:preview", …) in plain words."""
    base, _, _ = kind.partition(":")
    if base == "refund":
        return "Refund: " + _kind_label(kind.removeprefix("refund:")).lower()
    return {"grant": "Credits added", "link": "Product page read", "preview": "Preview",
            "render": "Render"}.get(base, kind)


def _history(request: Request, session: WebSession) -> list[dict[str, Any]]:
    stmt = (select(CreditEntry).where(CreditEntry.workspace_id == session.workspace.id)
            .order_by(CreditEntry.created_at.desc()).limit(HISTORY_ROWS))
    with request.app.state.db.session() as s:
        return [{"when": e.created_at.strftime("%Y-%m-%d %H:%M"), "what": _kind_label(e.kind),
                 "amount": credits.format_amount(e.amount)} for e in s.scalars(stmt)]


@router.get("/jobs/")
def jobs_page(request: Request, session: SignedIn) -> HTMLResponse:
    return _render(request, "jobs.html", session=session, title="Jobs", history=_history(request, session))


def _persona_card(body: dict[str, Any]) -> dict[str, Any]:
    """What an avatar grid card shows of a persona's API fields (`/api/personas/`): square previews (a library
    one's are drawn on their first request, then cached; a custom one has no clip); `custom`: the workspace's."""
    return {key: body[key] for key in ("id", "creator_name", "gender", "age_range", "location", "style")} | {
        "image": body["preview_image_1_1"], "video": body.get("preview_video_1_1"), "custom": body["type"] == "custom"}


def _avatar_grid(request: Request, session: WebSession) -> dict[str, Any]:
    """The avatar grid's data (new-ad page and editor, templates/_personas.html): the library, then the
    workspace's own personas that `override_avatar` takes now (processed and active, see
    custom.ready_problem), and the filters."""
    settings = request.app.state.settings
    with request.app.state.db.session() as s:
        own = [row for row in custom.list_custom(s, session.workspace.id, {})
               if row.process_status == "done" and row.is_active]
    return {"personas": [_persona_card(persona_body(settings, p)) for p in personas()]
            + [_persona_card(custom_body(settings, row)) for row in own],
            "persona_filters": {name: list(values) for name, values in PERSONA_FILTERS.items()}}


def _voices(settings: Any) -> list[dict[str, Any]]:
    voices = [voice_body(settings, v) for v in voice_catalog.catalog_for(settings).all()]
    return [{"id": a["id"], "name": v["name"], "gender": v["gender"], "accent": a["accent_name"],
             "language": a["language"], "preview_url": a["preview_url"]} for v in voices for a in v["accents"]]


def _catalog(request: Request, session: WebSession) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "languages": [{"code": c, "name": LANGUAGES[c].name} for c in LANGUAGE_CODES],
        "lengths": list(VIDEO_LENGTHS),
        "aspects": list(ASPECT_RATIOS),
        "script_styles": list(SCRIPT_STYLES),
        "visual_styles": [{"name": name, "ratios": list(ratios)} for name, ratios in VISUAL_STYLES.items()],
        "caption_styles": list(CAPTION_STYLES),
        # "Default" captions are the visual style's own preset: the live sample shows which one.
        "style_captions": {name: get_template(name).caption_style for name in VISUAL_STYLES},
        "voices": _voices(settings),
        "musics": [music_body(settings, t) for t in music.TRACKS],
        **_avatar_grid(request, session),
        "preview_cost": {str(n): credits.cost_preview(n) for n in VIDEO_LENGTHS},
        "render_cost": {str(n): credits.cost_render(n) for n in VIDEO_LENGTHS},
    }


@router.get("/new/")
def new_page(request: Request, session: SignedIn) -> HTMLResponse:
    return _render(request, "new.html", session=session, title="New ad", data=_catalog(request, session))


@router.get("/compare/{job_id}/")
def compare_page(job_id: str, request: Request, session: SignedIn) -> HTMLResponse:
    job = actions.owned_job(request, session, job_id)
    settings = request.app.state.settings
    return _render(request, "compare.html", session=session, title="Compare previews", job=job,
                   data={"job_id": job.id, "render_cost": credits.cost_render(job.params["video_length"]),
                         "editor": f"/editor/{job.id}/", "public_url": settings.public_url})


def _clips(media_job: str, preview: dict[str, Any]) -> list[str]:
    """The preview's b-roll stills (what a scene's `clip` indexes), as same-origin paths like the player's."""
    return [f"/media/{media_job}/clip-{k}.jpg" for k in range(len(preview.get("clips") or []))]


def _caption_centre(visual_style: str, aspect: str) -> dict[str, float]:
    """Where the visual style puts its captions, as `caption_setting.offset` (centre from the frame centre)."""
    box = get_template(visual_style).caption_box[aspect]
    return {"x": round(box.x + box.w / 2 - 0.5, 3), "y": round(box.y + box.h / 2 - 0.5, 3)}


def _presenter(request: Request, session: WebSession, job: Any, visual_style: str) -> dict[str, Any]:
    """The editor's avatar grid: shown when the visual style has a presenter; `current` the job's choice
    (actions.presenter; `photo`: a photo presenter, which has no card), `matched` the library persona
    "Automatic" gives this product, `none` the "no presenter" card's value."""
    matched = presenter_persona(None, Brief.model_validate((job.work or {})["brief"]))
    current = actions.presenter(job)
    return {"slot": get_template(visual_style).family.avatar is not None, "current": current,
            "photo": current == actions.PHOTO, "matched": matched.id, "none": actions.NO_PRESENTER,
            **_avatar_grid(request, session)}


def _look(request: Request, job: Any, visual_style: str, aspect: str) -> dict[str, Any]:
    """What the editor's voice, music and caption controls offer and start from (the job's own request)."""
    settings, params = request.app.state.settings, job.params or {}
    style = get_template(visual_style)
    return {
        "voices": [v for v in _voices(settings) if v["language"] == params.get("language", "en")],
        "musics": [{"url": m["url"], "label": f'{m["name"]} ({m["category"]})'} for m in
                   (music_body(settings, t) for t in music.TRACKS)],
        "caption_styles": list(CAPTION_STYLES), "style_caption": style.caption_style,
        "aspect": aspect, "caption_centre": _caption_centre(visual_style, aspect),
        "safe_area": SAFE_AREAS[aspect].model_dump(), "end_card": not params.get("no_cta"),
        "defaults": {"background_music_volume": style.music_volume, "voiceover_volume": 1.0},
        "current": {name: params.get(name) for name in actions.EDITABLE}
        | {"caption_style": (params.get("caption_setting") or {}).get("style") or params.get("caption_style")},
    }


def _editor_scene(scene: dict[str, Any]) -> dict[str, Any]:
    return {"role": scene.get("role"), "text": scene.get("text", ""), "on_screen": scene.get("on_screen") or "",
            "image": scene.get("image"), "clip": scene.get("clip")}


@router.get("/editor/{job_id}/")
def editor_page(job_id: str, request: Request, session: SignedIn, preview: str | None = None) -> HTMLResponse:
    job = actions.owned_job(request, session, job_id)
    listed = list(job.previews or [])
    chosen = next((p for p in listed if p["media_job"] == preview), None)
    media_job = chosen["media_job"] if chosen else job.media_job
    if media_job is None and listed:
        chosen = listed[0]
        media_job = chosen["media_job"]
    params = job.params or {}
    visual_style = chosen["visual_style"] if chosen else params.get("visual_style", "FullScreenTemplate")
    aspect = chosen["aspect_ratio"] if chosen else params.get("aspect_ratio", "9x16")
    preview_data = read_preview(request, media_job) if media_job else None
    scenes = list(preview_data.get("scenes", [])) if preview_data else None
    listed_versions = actions.versions(request, session, job)
    images = [f"/media/links/{job.link_id}/images/{name}" for name in actions.link_images(job)]
    clips = _clips(media_job, preview_data) if media_job and preview_data else []
    look = _look(request, job, visual_style, aspect)
    avatar = _presenter(request, session, job, visual_style)
    return _render(request, "editor.html", session=session, title="Editor", job=job, media_job=media_job,
                   scenes=scenes, versions=listed_versions, max_on_screen=actions.MAX_ON_SCREEN, look=look,
                   images=images, avatar=avatar, visual_style=visual_style,
                   data={"job_id": job.id, "media_job": media_job, "kind": job.kind,
                         "waiting": scenes is None and job.status != "failed",
                         "scenes": [_editor_scene(sc) for sc in scenes or []], "images": images, "clips": clips,
                         "look": look, "avatar": avatar,
                         "max_scenes": actions.MAX_SCENES, "max_on_screen": actions.MAX_ON_SCREEN})
