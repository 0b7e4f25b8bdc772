"""`/api/link_to_videos/…` (contract §3): video jobs, previews and renders.

Every write validates the whole §3.2 body first (400 with every bad field), then charges credits
in the transaction that creates or changes the job (400 "Insufficient credits" before anything
exists), then queues the work by job id. `/preview/` builds the storyboard before answering; the
low-resolution preview video, the preview list and every final render run on the queue.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from linkreel.api.auth import CurrentWorkspace
from linkreel.api.body import body_dependency
from linkreel.api.deps import DbDep, FetcherDep, SettingsDep
from linkreel.api.errors import REQUIRED, ApiError
from linkreel.api.idempotency import idempotent, note_created
from linkreel.api.limits import check_active_jobs
from linkreel.api.pagination import is_uuid, paginate_query, parse_ids
from linkreel.api.samples import track_for_url
from linkreel.api.video_params import (
    ASPECT_RATIOS,
    CAPTION_STYLES,
    FORM_KINDS,
    LANGUAGE_CODES,
    PARAM_FIELDS,
    SCRIPT_STYLES,
    VIDEO_LENGTHS,
    VISUAL_STYLES,
    Checks,
    Mode,
    does_not_exist,
    preview_pairs,
    validate_params,
)
from linkreel.avatars.custom import get_custom, ready_problem
from linkreel.avatars.personas import get_persona
from linkreel.config import Settings
from linkreel.errors import FetchError, InputError
from linkreel.jobs import credits
from linkreel.jobs.credits import MODEL_VERSIONS
from linkreel.jobs.db import Database
from linkreel.jobs.links import get_link, link_brief
from linkreel.jobs.models import VideoJob, Workspace, as_utc, new_id
from linkreel.jobs.queue import enqueue
from linkreel.jobs.runner import (
    ACTIVE,
    build_storyboard,
    editor_url,
    fail_previews,
    initial_stages,
    reason_for,
)
from linkreel.languages import LANGUAGES
from linkreel.scrape.fetch import Fetcher
from linkreel.voice.catalog import catalog_for

router = APIRouter(tags=["link_to_videos"])

BASE = "/api/link_to_videos"
CANNOT_RENDER = "This video cannot be rendered in its current state."
NOT_READY = "Previews are not ready yet."
IN_PROGRESS = "A render is already in progress for this video."
NOT_A_PREVIEW = "Not a preview of this video."


# --------------------------------------------------------------------------- the response object


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return as_utc(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _number(value: float | None) -> float | int | None:
    """5.0 → 5 (as in the contract's examples); other values unchanged."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 4)


def progress_text(value: float | None) -> str:
    """The string form of §3.4: "0", "0.45", "1"."""
    text = f"{min(max(value or 0.0, 0.0), 1.0):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def serialize(job: VideoJob, settings: Settings) -> dict[str, Any]:
    params = job.params or {}
    body: dict[str, Any] = {"id": job.id, "link": job.link_id}
    body.update({name: params.get(name) for name in PARAM_FIELDS})
    body.update({
        "media_job": job.media_job,
        "status": job.status,
        "failed_reason": job.failed_reason,
        "progress": progress_text(job.progress),
        "video_output": job.video_output,
        "video_thumbnail": job.video_thumbnail,
        "duration": job.duration,
        "credits_used": _number(job.credits_used or 0.0),
        "outputs": list(job.outputs or []),
        "preview": job.preview,
        "previews": list(job.previews or []),
        "editor_url": editor_url(settings, job.id),
        "is_hidden": False,
        "created_at": _iso(job.created_at),
        "updated_at": _iso(job.updated_at),
        "stages": list(job.stages or initial_stages()),  # contract §7
        "quality_report": job.quality_report,  # contract §7
    })
    return body


def _output(media_job: str, visual_style: str, aspect_ratio: str) -> dict[str, Any]:
    return {"media_job": media_job, "visual_style": visual_style, "aspect_ratio": aspect_ratio,
            "status": "in_queue", "progress": 0.0, "duration": None, "video_output": None,
            "video_thumbnail": None, "failed_reason": None, "quality_report": None}


# --------------------------------------------------------------------------- request documentation

_STR = {"type": ["string", "null"]}
_URL = {"type": ["string", "null"], "format": "uri"}
_UUID = {"type": ["string", "null"], "format": "uuid"}
_VOLUME = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_PARAMS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["link"],
    "properties": {
        "link": {"type": "string", "format": "uuid"},
        "name": {**_STR, "maxLength": 255},
        "target_platform": {"type": "string", "maxLength": 255, "default": "tiktok"},
        "target_audience": {**_STR, "maxLength": 255},
        "language": {"type": "string", "enum": list(LANGUAGE_CODES), "default": "en"},
        "video_length": {"type": "integer", "enum": list(VIDEO_LENGTHS), "default": 30},
        "aspect_ratio": {"type": "string", "enum": list(ASPECT_RATIOS), "default": "16x9"},
        "aspect_ratios": {"type": "array", "items": {"type": "string", "enum": list(ASPECT_RATIOS)},
                          "minItems": 1, "maxItems": 3, "uniqueItems": True},
        "script_style": {"type": "string", "enum": list(SCRIPT_STYLES), "default": "DiscoveryWriter"},
        "visual_style": {"type": "string", "enum": list(VISUAL_STYLES), "default": "AvatarBubbleTemplate"},
        "model_version": {"type": "string", "enum": list(MODEL_VERSIONS), "default": "standard"},
        "override_avatar": _UUID,
        "override_avatar_by_image": {**_URL, "maxLength": 1000},
        "override_voice": _UUID,
        "override_script": {**_STR, "maxLength": 5000},
        "background_music_url": {**_URL, "maxLength": 255},
        "background_music_volume": _VOLUME,
        "voiceover_volume": _VOLUME,
        "webhook_url": {**_URL, "maxLength": 200},
        **{name: {"type": "boolean", "default": False}
           for name in ("no_background_music", "no_caption", "no_emotion", "no_cta", "no_stock_broll")},
        "caption_style": {"type": ["string", "null"], "enum": [*CAPTION_STYLES, None]},
        "caption_offset_x": _STR,
        "caption_offset_y": _STR,
        "caption_setting": {"type": ["object", "null"], "properties": {
            "style": {"type": "string", "enum": list(CAPTION_STYLES)},
            "offset": {"type": "object", "properties": {"x": {"type": "number", "minimum": -0.5, "maximum": 0.5},
                                                        "y": {"type": "number", "minimum": -0.5, "maximum": 0.5}}},
            "font_family": {"type": "string"}, "font_size": {"type": "integer"}, "font_style": {"type": "string"},
            "background_color": {"type": "string"}, "text_color": {"type": "string"},
            "highlight_text_color": {"type": "string"}, "max_width": {"type": "integer"},
            "line_height": {"type": "number"}, "text_shadow": {"type": "string"}, "hidden": {"type": "boolean"},
            "override_visual_style": {"type": "boolean"}}},
    },
}
_LIST_SCHEMA = {**_PARAMS_SCHEMA, "required": ["link", "visual_styles"], "properties": {
    **_PARAMS_SCHEMA["properties"],
    "visual_styles": {"type": "array", "items": {"type": "string", "enum": list(VISUAL_STYLES)},
                      "minItems": 1, "maxItems": 20, "uniqueItems": True}}}
_SINGLE_SCHEMA = {"type": "object", "required": ["media_job"],
                  "properties": {"media_job": {"type": "string", "format": "uuid"}}}


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    content = {t: {"schema": schema} for t in ("application/json", "application/x-www-form-urlencoded",
                                               "multipart/form-data")}
    return {"requestBody": {"required": True, "content": content}}


BodyDep = Annotated[dict[str, Any], Depends(body_dependency(FORM_KINDS))]


# --------------------------------------------------------------------------- helpers


def _checks(session: Session, workspace: Workspace, fetcher: Fetcher) -> Checks:
    def voice_problem(voice_id: str, language: str) -> str | None:
        try:
            voice = catalog_for(fetcher.settings).get(voice_id)
        except InputError:
            return does_not_exist(voice_id)
        if voice.id != voice_id:  # an alias such as "en-f" is not an accent id
            return does_not_exist(voice_id)
        if voice.language != language:
            return (f"This voice speaks {LANGUAGES[voice.language].name}; choose a voice for "
                    f"{LANGUAGES[language].name} (language \"{language}\").")
        return None

    def url_problem(url: str) -> str | None:
        if track_for_url(fetcher.settings, url) is not None:  # our own music catalog: nothing to fetch
            return None
        try:
            fetcher.check(url)
        except FetchError as exc:
            return f"This URL cannot be used: {exc}."
        except Exception:  # whatever else a strange URL makes the parser raise: still the client's input
            return "Enter a valid URL."
        return None

    return Checks(
        link_exists=lambda link_id: get_link(session, workspace.id, link_id) is not None,
        persona_active=lambda persona_id: (get_persona(persona_id) is not None
                                           or get_custom(session, workspace.id, persona_id) is not None),
        persona_problem=lambda persona_id: ready_problem(session, workspace.id, persona_id),
        voice_problem=voice_problem,
        url_problem=url_problem,
    )


def _validate(db: Database, workspace: Workspace, fetcher: Fetcher, data: dict[str, Any], mode: Mode) -> dict:
    with db.session() as s:
        return validate_params(data, mode, _checks(s, workspace, fetcher))


def _owned(session: Session, workspace: Workspace, job_id: str) -> VideoJob:
    job = session.get(VideoJob, job_id.lower()) if is_uuid(job_id) else None
    if job is None or job.workspace_id != workspace.id:
        raise ApiError.not_found()
    return job


def _charge_all(session: Session, workspace: Workspace, job_id: str, charges: list[tuple[str, float]],
                settings: Settings) -> float:
    """Charge several kinds at once, or none: the balance is checked against their total first.
    New work is refused while the workspace has `settings.max_active_jobs` unfinished jobs."""
    check_active_jobs(session, workspace.id, settings.max_active_jobs)
    total = sum(amount for _, amount in charges)
    remaining = credits.balance(session, workspace.id)
    if total > remaining + 1e-9:
        raise credits.insufficient(total, remaining)
    for kind, amount in charges:
        credits.charge(session, workspace.id, amount, kind, job_id)
    return credits.job_credits(session, job_id)


def _new_job(session: Session, workspace: Workspace, params: dict[str, Any], kind: str, **fields: Any) -> VideoJob:
    link = get_link(session, workspace.id, params["link"])
    if link is None:  # deleted between validation and now
        raise ApiError.field("link", does_not_exist(params["link"]))
    work = {"brief": link_brief(link).model_dump(mode="json"), **fields.pop("work", {})}
    job = VideoJob(workspace_id=workspace.id, link_id=link.id, kind=kind, params=params, progress=0.0,
                   stages=initial_stages(), outputs=[], previews=[], attempts=0, work=work, **fields)
    session.add(job)
    note_created(session, job.id)  # a retry after a crash answers with this job instead of making another
    return job


def _reload(db: Database, settings: Settings, job_id: str) -> dict[str, Any]:
    with db.session() as s:
        job = s.get(VideoJob, job_id)
        assert job is not None
        return serialize(job, settings)


# --------------------------------------------------------------------------- create


@router.post(f"{BASE}/", openapi_extra=_body_doc(_PARAMS_SCHEMA), summary="Create a video and render it")
def create_video(request: Request, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep,
                 fetcher: FetcherDep, data: BodyDep) -> Any:
    return idempotent(request, db, workspace.id, data, lambda: _create(db, settings, workspace, fetcher, data),
                      replay=lambda job_id: _reload(db, settings, job_id))


def _create(db: Database, settings: Settings, workspace: Workspace, fetcher: Fetcher, data: dict) -> dict:
    params = _validate(db, workspace, fetcher, data, "create")
    ratios: list[str] = params.pop("aspect_ratios")
    job_id = new_id()
    media_jobs = [new_id() for _ in ratios]
    cost = credits.cost_create(params["video_length"], params["model_version"])
    with db.session(write=True) as s:
        used = _charge_all(s, workspace, job_id, [(f"render:{mj}", cost) for mj in media_jobs], settings)
        job = _new_job(s, workspace, params, "create", id=job_id, status="in_queue", media_job=media_jobs[0],
                       credits_used=used)
        job.outputs = [_output(mj, params["visual_style"], r) for mj, r in zip(media_jobs, ratios, strict=True)]
    enqueue(settings, job_id, "render")
    return _reload(db, settings, job_id)


# --------------------------------------------------------------------------- lists (fixed paths first)


@router.get(f"{BASE}/", summary="List video jobs (optionally by ids)")
def list_videos(request: Request, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep) -> Any:
    ids = parse_ids(request.query_params.get("ids"))
    stmt = select(VideoJob).where(VideoJob.workspace_id == workspace.id).order_by(VideoJob.created_at.desc())
    if ids is not None:
        stmt = stmt.where(VideoJob.id.in_(ids))
    with db.session() as s:
        return [serialize(job, settings) for job in s.scalars(stmt).all()]


@router.get(f"{BASE}/paginated/", summary="List video jobs, a page at a time")
def list_videos_paginated(request: Request, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep) -> Any:
    stmt = select(VideoJob).where(VideoJob.workspace_id == workspace.id).order_by(VideoJob.created_at.desc())
    with db.session() as s:
        return paginate_query(request, settings, s, stmt, lambda job: serialize(job, settings))


# --------------------------------------------------------------------------- previews


@router.post(f"{BASE}/preview/", openapi_extra=_body_doc(_PARAMS_SCHEMA), summary="Build one preview")
def preview_video(request: Request, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep,
                  fetcher: FetcherDep, data: BodyDep) -> Any:
    return idempotent(request, db, workspace.id, data, lambda: _preview(db, settings, workspace, fetcher, data),
                      replay=lambda job_id: _reload(db, settings, job_id))


def _preview(db: Database, settings: Settings, workspace: Workspace, fetcher: Fetcher, data: dict,
             work: dict[str, Any] | None = None) -> dict:
    """`work`: extra runner bookkeeping from the web editor (its edited scenes, the version it came from)."""
    params = _validate(db, workspace, fetcher, data, "preview")
    job_id, media_job = new_id(), new_id()
    entry = {"media_job": media_job, "visual_style": params["visual_style"], "aspect_ratio": params["aspect_ratio"],
             "status": "queued"}
    with db.session(write=True) as s:
        used = _charge_all(s, workspace, job_id, [("preview", credits.cost_preview(params["video_length"]))], settings)
        job = _new_job(s, workspace, params, "preview", id=job_id, status="pending", media_job=media_job,
                       credits_used=used, work={**(work or {}), "previews": [entry]})
    # The storyboard (script, voice, timeline) is built before answering; a failure still answers 200.
    try:
        build_storyboard(settings, db, job, entry)
    except Exception as exc:
        fail_previews(settings, db, job_id, reason_for(exc))
    else:
        enqueue(settings, job_id, "preview")  # the low-resolution preview video
    return _reload(db, settings, job_id)


@router.post(f"{BASE}/preview_list_async/", openapi_extra=_body_doc(_LIST_SCHEMA),
             summary="Build previews for several visual styles and aspect ratios")
def preview_list(request: Request, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep,
                 fetcher: FetcherDep, data: BodyDep) -> Any:
    return idempotent(request, db, workspace.id, data,
                      lambda: _preview_list(db, settings, workspace, fetcher, data),
                      replay=lambda job_id: _reload(db, settings, job_id))


def _preview_list(db: Database, settings: Settings, workspace: Workspace, fetcher: Fetcher, data: dict) -> dict:
    params = _validate(db, workspace, fetcher, data, "preview_list")
    pairs = preview_pairs(params.pop("visual_styles"), params.pop("aspect_ratios"))
    entries = [{"media_job": new_id(), "visual_style": style, "aspect_ratio": ratio, "status": "queued"}
               for style, ratio in pairs]
    job_id = new_id()
    with db.session(write=True) as s:
        used = _charge_all(s, workspace, job_id, [("preview", credits.cost_preview(params["video_length"]))], settings)
        _new_job(s, workspace, params, "preview_list", id=job_id, status="pending", media_job=None,
                 credits_used=used, work={"previews": entries})
    enqueue(settings, job_id, "preview")
    return _reload(db, settings, job_id)


# --------------------------------------------------------------------------- one job


@router.get(f"{BASE}/{{job_id}}/", summary="Read one video job")
def get_video(job_id: str, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep) -> Any:
    with db.session() as s:
        return serialize(_owned(s, workspace, job_id), settings)


@router.post(f"{BASE}/{{job_id}}/render/", summary="Render a /preview/ job")
def render_video(job_id: str, request: Request, workspace: CurrentWorkspace, db: DbDep,
                 settings: SettingsDep) -> Any:
    return idempotent(request, db, workspace.id, {}, lambda: _render(db, settings, workspace, job_id))


def _render(db: Database, settings: Settings, workspace: Workspace, job_id: str) -> dict:
    with db.session(write=True) as s:
        job = _owned(s, workspace, job_id)
        if job.kind != "preview" or job.status != "pending" or not job.preview or not job.media_job:
            raise ApiError.invalid(CANNOT_RENDER)
        params = job.params
        cost = credits.cost_render(params["video_length"], params["model_version"])
        job.credits_used = _charge_all(s, workspace, job.id, [(f"render:{job.media_job}", cost)], settings)
        job.outputs = [_output(job.media_job, params["visual_style"], params["aspect_ratio"])]
        job.status, job.progress, job.stages = "in_queue", 0.0, initial_stages()
    enqueue(settings, job.id, "render")
    return _reload(db, settings, job.id)


@router.post(f"{BASE}/{{job_id}}/render_single_preview/", openapi_extra=_body_doc(_SINGLE_SCHEMA),
             summary="Render one preview of a preview-list job")
def render_single_preview(job_id: str, request: Request, workspace: CurrentWorkspace, db: DbDep,
                          settings: SettingsDep, data: BodyDep) -> Any:
    return idempotent(request, db, workspace.id, data,
                      lambda: _render_single(db, settings, workspace, job_id, data))


def _render_single(db: Database, settings: Settings, workspace: Workspace, job_id: str, data: dict) -> dict:
    raw = data.get("media_job")
    if raw is None or raw == "":
        raise ApiError.field("media_job", REQUIRED)
    try:
        media_job = str(uuid.UUID(str(raw)))
    except ValueError:
        raise ApiError.field("media_job", "Must be a valid UUID.") from None
    with db.session(write=True) as s:
        job = _owned(s, workspace, job_id)
        if job.kind != "preview_list":
            raise ApiError.field("media_job", NOT_A_PREVIEW)
        if not job.previews:
            raise ApiError.invalid(CANNOT_RENDER if job.status == "failed" else NOT_READY)
        preview = next((p for p in job.previews if p["media_job"] == media_job), None)
        if preview is None:
            raise ApiError.field("media_job", NOT_A_PREVIEW)
        if any(o["media_job"] == media_job for o in job.outputs):
            return serialize(job, settings)  # each preview renders once; asking again is free
        if any(o["status"] in ACTIVE for o in job.outputs):
            raise ApiError.invalid(IN_PROGRESS)
        params = dict(job.params)
        cost = credits.cost_render(params["video_length"], params["model_version"])
        job.credits_used = _charge_all(s, workspace, job.id, [(f"render:{media_job}", cost)], settings)
        # The top-level render fields describe the latest requested render (§3.3).
        params.update(visual_style=preview["visual_style"], aspect_ratio=preview["aspect_ratio"])
        job.params = params
        job.outputs = [*job.outputs, _output(media_job, preview["visual_style"], preview["aspect_ratio"])]
        job.media_job = media_job
        job.status, job.progress, job.stages, job.failed_reason = "in_queue", 0.0, initial_stages(), None
        job.video_output = job.video_thumbnail = job.duration = None
    enqueue(settings, job.id, "render")
    return _reload(db, settings, job.id)
