"""The JSON endpoints our pages' scripts call (`/web/api/…`): the API's own route functions, with the
session's workspace instead of key headers.

Each endpoint calls the public route function of `linkreel.api.routes.*` (same validation, credits,
idempotency, errors), so the web app cannot drift from the API. Writes need the session's CSRF token
in `X-CSRF-Token`. Errors are the API's DRF-shaped bodies (`{"field": ["message"]}`), which the
scripts show next to the matching field.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from linkreel.api.body import body_dependency
from linkreel.api.errors import ApiError
from linkreel.api.routes import credits as credit_routes
from linkreel.api.routes import links as link_routes
from linkreel.api.routes import videos as video_routes
from linkreel.api.video_params import FORM_KINDS, PARAM_FIELDS
from linkreel.jobs.links import get_link, link_brief
from linkreel.jobs.models import VideoJob
from linkreel.web.session import SignedIn, SignedInWrite

router = APIRouter(prefix="/web/api", include_in_schema=False)

BodyDep = Annotated[dict[str, Any], Depends(body_dependency(FORM_KINDS))]
LinkBodyDep = Annotated[dict[str, Any], Depends(body_dependency({"image_urls": "list", "video_urls": "list",
                                                                  "reviews": "object"}))]
MAX_SCENE_LINE = 600


def _state(request: Request) -> tuple[Any, Any, Any, Any]:
    s = request.app.state
    return s.db, s.settings, s.fetcher, s.storage


# --------------------------------------------------------------------------- jobs and credits


@router.get("/jobs/")
def jobs(request: Request, session: SignedIn) -> dict[str, Any]:
    db, settings, _, _ = _state(request)
    listed = video_routes.list_videos(request, session.workspace, db, settings)
    balance = credit_routes.remaining_credits(session.workspace, db)
    return {"jobs": listed, "remaining_credits": balance.remaining_credits}


@router.get("/videos/{job_id}/")
def one_job(job_id: str, request: Request, session: SignedIn) -> Any:
    db, settings, _, _ = _state(request)
    return video_routes.get_video(job_id, session.workspace, db, settings)


# --------------------------------------------------------------------------- links


@router.post("/links/")
def create_link(request: Request, session: SignedInWrite, data: LinkBodyDep) -> Any:
    """The API's link body plus the scraped price, which the API's link shape has no field for."""
    db, settings, fetcher, storage = _state(request)
    body = link_routes.create_link(request, session.workspace, db, settings, fetcher, storage, data)
    with db.session() as s:
        link = get_link(s, session.workspace.id, body["id"])
        brief = link_brief(link) if link is not None else None
    body["price"] = {"amount": brief.price, "currency": brief.currency} if brief and brief.price else None
    return body


@router.put("/links/{link_id}/")
def put_link(link_id: str, request: Request, session: SignedInWrite, data: LinkBodyDep) -> Any:
    db, settings, fetcher, storage = _state(request)
    return link_routes.put_link(link_id, session.workspace, db, settings, fetcher, storage, data)


# --------------------------------------------------------------------------- video jobs


@router.post("/videos/preview/")
def preview(request: Request, session: SignedInWrite, data: BodyDep) -> Any:
    db, settings, fetcher, _ = _state(request)
    return video_routes.preview_video(request, session.workspace, db, settings, fetcher, data)


@router.post("/videos/preview_list_async/")
def preview_list(request: Request, session: SignedInWrite, data: BodyDep) -> Any:
    db, settings, fetcher, _ = _state(request)
    return video_routes.preview_list(request, session.workspace, db, settings, fetcher, data)


@router.post("/videos/{job_id}/render/")
def render(job_id: str, request: Request, session: SignedInWrite) -> Any:
    db, settings, _, _ = _state(request)
    return video_routes.render_video(job_id, request, session.workspace, db, settings)


@router.post("/videos/{job_id}/render_single_preview/")
def render_single_preview(job_id: str, request: Request, session: SignedInWrite, data: BodyDep) -> Any:
    db, settings, _, _ = _state(request)
    return video_routes.render_single_preview(job_id, request, session.workspace, db, settings, data)


def script_from_lines(lines: list[Any]) -> str:
    """The editor's scene lines → `override_script`. The writer cuts scenes at sentence ends, so each
    line is closed with a full stop when the user left it open: one edited line stays one scene."""
    cleaned: list[str] = []
    for i, line in enumerate(lines):
        if not isinstance(line, str):
            raise ApiError.field("lines", f"Line {i + 1} must be text.")
        text = " ".join(line.split())
        if len(text) > MAX_SCENE_LINE:
            raise ApiError.field("lines", f"Line {i + 1} is longer than {MAX_SCENE_LINE} characters.")
        if text:
            cleaned.append(text if text[-1] in ".!?…。！？" else text + ".")
    if not cleaned:
        raise ApiError.field("lines", "Write at least one line.")
    return " ".join(cleaned)


@router.post("/videos/{job_id}/repreview/")
def repreview(job_id: str, request: Request, session: SignedInWrite, data: BodyDep) -> Any:
    """A new preview of this job's ad with the edited lines as its `override_script` (the job's own
    parameters otherwise). Scrape and images are reused from the link; only script onwards redoes."""
    db, settings, fetcher, _ = _state(request)
    lines = data.get("lines")
    if not isinstance(lines, list):
        raise ApiError.field("lines", "Send the scene lines as a list.")
    with db.session() as s:
        job = video_routes._owned(s, session.workspace, job_id)
        params = dict(job.params or {})
        chosen = next((p for p in job.previews or [] if p["media_job"] == data.get("media_job")), None)
    body = {name: params[name] for name in PARAM_FIELDS if params.get(name) is not None}
    body["link"] = params["link"]
    if chosen is not None:  # a preview-list job: edit the preview the user was looking at
        body.update(visual_style=chosen["visual_style"], aspect_ratio=chosen["aspect_ratio"])
    body["override_script"] = script_from_lines(lines)
    return video_routes.preview_video(request, session.workspace, db, settings, fetcher, body)


def owned_job(request: Request, session: SignedIn, job_id: str) -> VideoJob:
    """The session's job, detached (404 for another workspace's)."""
    with request.app.state.db.session() as s:
        return video_routes._owned(s, session.workspace, job_id)
