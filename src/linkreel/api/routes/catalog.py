"""Read-only catalogs (contract §6.1–6.3): personas, voices, music; plus their audio under /media.

All free GETs, plus the workspace's custom personas. Voices come from `voice.catalog` (the accent id is
the voice id `override_voice` takes), personas from `avatars.personas` (preview stills and clips from
`avatars.previews`, rendered on first request) followed by the workspace's own (`avatars.custom`: built
from an uploaded photo, `POST`/`DELETE /api/personas/`, a linkreel extension), music from `media.music`;
preview audio is rendered on first request by `api.samples`.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from linkreel.api import samples
from linkreel.api.auth import CurrentWorkspace
from linkreel.api.body import Kind, coerce_form, openapi_body, read_body
from linkreel.api.deps import DbDep, SettingsDep
from linkreel.api.errors import ApiError, FieldErrors, invalid_choice
from linkreel.api.formats import iso_z
from linkreel.api.idempotency import idempotent
from linkreel.api.pagination import LimitQuery, PageQuery, PageSizeQuery, page_request, paginate_items
from linkreel.api.validate import Validator
from linkreel.avatars import custom, previews
from linkreel.avatars.personas import FILTERS, LIBRARY_DATE, Persona, filter_personas, get_persona, personas
from linkreel.config import Settings
from linkreel.errors import FetchError, InputError
from linkreel.jobs.db import Database
from linkreel.jobs.models import CustomPersona, Workspace
from linkreel.jobs.queue import enqueue_persona
from linkreel.media import music
from linkreel.scrape.fetch import IMAGE_ACCEPT, Fetcher
from linkreel.storage import Storage, StorageError
from linkreel.voice import catalog as voice_catalog
from linkreel.voice.speech import Voice

router = APIRouter()
log = logging.getLogger("linkreel.api")


# --------------------------------------------------------------------------- personas


class PersonaOut(BaseModel):
    id: str
    created_at: str
    updated_at: str
    gender: str
    creator_name: str
    suitable_industries: list[str]
    age_range: str
    location: str
    style: str
    video_scene: str | None
    keywords: str | None
    is_active: bool
    process_status: str
    failed_reason: str | None
    type: str
    preview_image_16_9: str | None = None
    preview_image_1_1: str | None = None
    preview_image_9_16: str | None = None
    preview_video_16_9: str | None = None
    preview_video_1_1: str | None = None
    preview_video_9_16: str | None = None
    landscape_preview_video: str | None = None
    squared_preview_video: str | None = None
    portrait_preview_video: str | None = None


class PersonaPage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[PersonaOut]


def persona_body(settings: Settings, p: Persona) -> dict[str, Any]:
    stamp = iso_z(LIBRARY_DATE) or ""
    return {
        "id": p.id, "created_at": stamp, "updated_at": stamp, "gender": p.gender, "creator_name": p.creator_name,
        "suitable_industries": list(p.suitable_industries), "age_range": p.age_range, "location": p.location,
        "style": p.style, "video_scene": p.video_scene, "keywords": ",".join(p.keywords) or None,
        "is_active": True, "process_status": "done", "failed_reason": None, "type": "normal",
        **previews.preview_urls(settings, p),  # rendered on first request, see persona_preview
    }


def custom_body(settings: Settings, row: CustomPersona) -> dict[str, Any]:
    """A workspace's own persona in the §6.1 shape: `type: "custom"`, with its processing state."""
    return {
        "id": row.id, "created_at": iso_z(row.created_at) or "", "updated_at": iso_z(row.updated_at) or "",
        "gender": row.gender, "creator_name": row.creator_name, "suitable_industries": list(row.suitable_industries),
        "age_range": row.age_range, "location": row.location, "style": row.style, "video_scene": row.video_scene,
        "keywords": ",".join(row.keywords) or None, "is_active": row.is_active,
        "process_status": row.process_status, "failed_reason": row.failed_reason, "type": "custom",
        **custom.preview_urls(settings, row),
    }


FilterParam = Annotated[str | None, Query(description="Comma-separated values; matches any of them")]


def _wanted_filters(
    age_range: str | None, gender: str | None, location: str | None, style: str | None
) -> dict[str, set[str]]:
    errors = FieldErrors()
    wanted: dict[str, set[str]] = {}
    for name, raw in (("age_range", age_range), ("gender", gender), ("location", location), ("style", style)):
        values = {v.strip() for v in (raw or "").split(",") if v.strip()}
        for value in sorted(values - set(FILTERS[name])):
            errors.add(name, invalid_choice(value))
        wanted[name] = values
    errors.raise_if_any()
    return wanted


def _persona_bodies(db: Database, workspace: Workspace, wanted: dict[str, set[str]]) -> list[Any]:
    """The shared library, then the workspace's own personas, newest first (contract §6.1: lists hold both).
    Built lazily per item (a page serialises only its slice): library → Persona, custom → CustomPersona."""
    with db.session() as s:
        own = custom.list_custom(s, workspace.id, wanted)
    return [*filter_personas(personas(), **wanted), *own]


def _body(settings: Settings, item: Persona | CustomPersona) -> dict[str, Any]:
    return custom_body(settings, item) if isinstance(item, CustomPersona) else persona_body(settings, item)


@router.get("/api/personas/", response_model=list[PersonaOut], tags=["personas"])
def list_personas(
    settings: SettingsDep, db: DbDep, ws: CurrentWorkspace, age_range: FilterParam = None, gender: FilterParam = None,
    location: FilterParam = None, style: FilterParam = None,
) -> list[dict[str, Any]]:
    items = _persona_bodies(db, ws, _wanted_filters(age_range, gender, location, style))
    return [_body(settings, p) for p in items]


@router.get("/api/personas/paginated/", response_model=PersonaPage, tags=["personas"])
def paginated_personas(
    request: Request, settings: SettingsDep, db: DbDep, ws: CurrentWorkspace, age_range: FilterParam = None,
    gender: FilterParam = None, location: FilterParam = None, style: FilterParam = None,
    page: PageQuery = None, page_size: PageSizeQuery = None, limit: LimitQuery = None,
) -> dict[str, Any]:
    items = _persona_bodies(db, ws, _wanted_filters(age_range, gender, location, style))
    return paginate_items(request, settings, items, lambda p: _body(settings, p))


@router.get("/api/personas/{persona_id}/", response_model=PersonaOut, tags=["personas"])
def get_one_persona(persona_id: str, settings: SettingsDep, db: DbDep, ws: CurrentWorkspace) -> dict[str, Any]:
    persona = get_persona(persona_id)
    if persona is not None:
        return persona_body(settings, persona)
    with db.session() as s:
        row = custom.get_custom(s, ws.id, persona_id)
        if row is None:  # unknown, or another workspace's: the same 404
            raise ApiError.not_found()
        return custom_body(settings, row)


# --------------------------------------------------------------------------- custom personas (linkreel extension)


class PersonaCreate(BaseModel):
    """A custom persona from a photo: `image` (multipart file) or `image_url`, exactly one."""

    creator_name: str = Field(max_length=255)
    image_url: str | None = Field(None, description="http(s) URL of a photo of one person (or upload `image`)")
    gender: str = Field("nb", description="m, f or nb")
    age_range: str = Field("adult", description="child, teen, adult or senior")
    location: str = Field("other", description="outdoor, fantasy, indoor or other")
    style: str = Field("presenter", description="selfie, presenter or other")
    video_scene: str | None = Field(None, max_length=255)
    suitable_industries: list[str] = Field(default_factory=list)
    keywords: str | None = Field(None, description="comma-separated")


_CREATE_KINDS: dict[str, Kind] = {"suitable_industries": "list"}
_DEFAULTS = {"gender": "nb", "age_range": "adult", "location": "other", "style": "presenter"}


def _persona_fields(data: dict[str, Any]) -> dict[str, Any]:
    v = Validator(data)
    v.string("creator_name", required=True, nullable=False, max_length=255, blank=False)
    v.url("image_url", max_length=1000)
    for name, allowed in FILTERS.items():
        v.choice(name, allowed, nullable=False)
    v.string("video_scene", max_length=255)
    v.string("keywords", max_length=1000)
    clean = v.result()
    industries = data.get("suitable_industries") or []
    if not isinstance(industries, list) or not all(isinstance(i, str) and len(i) <= 64 for i in industries):
        raise ApiError.field("suitable_industries", "Expected a list of short strings.")
    return {**_DEFAULTS, **clean, "creator_name": clean["creator_name"].strip(), "suitable_industries": industries,
            "keywords": [k.strip() for k in (clean.get("keywords") or "").split(",") if k.strip()]}


async def _create_request(request: Request, max_photo: int) -> tuple[dict[str, Any], bytes | None]:
    """The body's fields, and the uploaded photo's bytes if a multipart `image` part came with them."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "multipart/form-data":
        return await read_body(request, _CREATE_KINDS), None
    try:
        form = await request.form(max_part_size=max_photo + 1)
    except Exception as exc:  # python-multipart raises several types for broken bodies
        raise ApiError.detail(400, f"Multipart form parse error - {exc}") from None
    upload = form.get("image")
    photo = None
    if isinstance(upload, UploadFile):
        photo = await upload.read(max_photo + 1)
        if len(photo) > max_photo:
            raise ApiError.field("image", f"The photo is too large (the limit is {max_photo} bytes).")
    fields = coerce_form([(k, v) for k, v in form.multi_items() if not isinstance(v, UploadFile)], _CREATE_KINDS)
    return fields, photo


def _photo_from(fields: dict[str, Any], upload: bytes | None, fetcher: Fetcher, max_photo: int) -> bytes:
    """The photo as a normalised JPEG: the uploaded file or the fetched `image_url` (SSRF-safe fetcher)."""
    url = fields.get("image_url")
    if (upload is None) == (url is None):
        raise ApiError.invalid("Send one photo: an `image` file (multipart) or an `image_url`.")
    field = "image" if upload is not None else "image_url"
    try:
        if upload is None:
            upload = fetcher.get(url or "", max_bytes=max_photo, accept=IMAGE_ACCEPT).content
        return custom.normalize_photo(upload)
    except FetchError as exc:
        raise ApiError.field(field, f"Could not download this file: {exc}") from None
    except InputError as exc:
        raise ApiError.field(field, custom.sentence(exc)) from None


def _store_persona(settings: Settings, db: Database, storage: Storage, workspace: Workspace,
                   fields: dict[str, Any], jpeg: bytes) -> dict[str, Any]:
    """Photo to storage first, then the row: a row never points at a photo that is not there."""
    prefix = custom.new_media_prefix()
    key = f"{prefix}/photo.jpg"
    try:
        storage.put_bytes(key, jpeg)
    except StorageError as exc:
        raise ApiError.detail(503, str(exc)) from None
    columns = {k: v for k, v in fields.items() if k != "image_url"}
    with db.session(write=True) as s:
        row = CustomPersona(workspace_id=workspace.id, media_prefix=prefix, process_status="pending", **columns)
        s.add(row)
        s.flush()
        body = custom_body(settings, row)
    enqueue_persona(settings, body["id"])
    return body


@router.post("/api/personas/", status_code=201, response_model=PersonaOut, tags=["personas"],
             openapi_extra=openapi_body(PersonaCreate))
async def create_persona(request: Request, settings: SettingsDep, db: DbDep, workspace: CurrentWorkspace) -> Any:
    """A custom persona from a photo of one person (linkreel extension; free). Answers `pending` at once; a
    queued check finds the face and sets `process_status` to `done` (usable as `override_avatar`) or
    `failed` with `failed_reason`."""
    fields, upload = await _create_request(request, settings.photo_max_bytes)
    fetcher: Fetcher = request.app.state.fetcher
    storage: Storage = request.app.state.storage

    def handler() -> dict[str, Any]:
        clean = _persona_fields(fields)
        jpeg = _photo_from(clean, upload, fetcher, settings.photo_max_bytes)
        return _store_persona(settings, db, storage, workspace, clean, jpeg)

    # the upload is part of the request: a replay must send the same photo
    keyed = {**fields, **({"image_sha256": hashlib.sha256(upload).hexdigest()} if upload is not None else {})}
    return await run_in_threadpool(idempotent, request, db, workspace.id, keyed, handler)


@router.delete("/api/personas/{persona_id}/", status_code=204, tags=["personas"])
def delete_persona(persona_id: str, db: DbDep, workspace: CurrentWorkspace, request: Request) -> Response:
    """Delete one of the workspace's custom personas and its photo (library personas cannot be deleted: 404).
    Jobs already accepted with it fail at their avatar stage."""
    with db.session(write=True) as s:
        row = custom.get_custom(s, workspace.id, persona_id)
        if row is None:
            raise ApiError.not_found()
        prefix = row.media_prefix
        s.delete(row)
    try:
        request.app.state.storage.delete_prefix(prefix)
    except Exception:  # the row is gone, so nothing links to the files; an orphan is only disk space
        log.warning("could not delete the files of custom persona %s under %s", persona_id, prefix, exc_info=True)
    return Response(status_code=204)


_PREVIEW_TYPES = {"jpg": "image/jpeg", "mp4": "video/mp4"}


@router.api_route("/media/personas/{persona_id}/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def persona_preview(persona_id: str, name: str, settings: SettingsDep) -> FileResponse:
    persona = get_persona(persona_id)
    stem, _, ext = name.partition(".")
    kind, _, aspect = stem.partition("_")
    if persona is None or persona.id != persona_id or previews.KINDS.get(kind) != ext or aspect not in previews.CANVAS:
        raise ApiError.not_found()
    return FileResponse(previews.ensure_preview(settings, persona, kind, aspect), media_type=_PREVIEW_TYPES[ext])


# --------------------------------------------------------------------------- voices


class AccentOut(BaseModel):
    id: str
    accent_name: str
    preview_url: str
    language: str


class VoiceOut(BaseModel):
    name: str
    gender: str
    accents: list[AccentOut]


class VoicePage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[VoiceOut]


def voice_body(settings: Settings, voice: Voice) -> dict[str, Any]:
    # Every catalog speaker has one accent; a speaker with several would list them here.
    return {
        "name": voice.name,
        "gender": voice.gender,
        "accents": [{
            "id": voice.id, "accent_name": voice.accent_name, "language": voice.language,
            "preview_url": samples.voice_preview_url(settings, voice.id),
        }],
    }


@router.get("/api/voices/", response_model=list[VoiceOut], tags=["voices"])
def list_voices(settings: SettingsDep, _ws: CurrentWorkspace) -> list[dict[str, Any]]:
    return [voice_body(settings, v) for v in voice_catalog.catalog_for(settings).all()]


@router.get("/api/voices/paginated/", response_model=VoicePage, tags=["voices"])
def paginated_voices(
    request: Request, settings: SettingsDep, _ws: CurrentWorkspace,
    page: PageQuery = None, page_size: PageSizeQuery = None, limit: LimitQuery = None,
) -> dict[str, Any]:
    return paginate_items(request, settings, voice_catalog.catalog_for(settings).all(),
                          lambda v: voice_body(settings, v))


@router.api_route("/media/voices/{voice_id}/preview.mp3", methods=["GET", "HEAD"], include_in_schema=False)
def voice_preview(voice_id: str, settings: SettingsDep) -> FileResponse:
    try:
        voice = voice_catalog.catalog_for(settings).get(voice_id)
    except InputError:
        raise ApiError.not_found() from None
    if voice.id != voice_id:  # aliases like "en-f" are for the CLI; URLs use ids
        raise ApiError.not_found()
    return FileResponse(samples.ensure_voice_preview(settings, voice), media_type="audio/mpeg")


# --------------------------------------------------------------------------- music


class CategoryOut(BaseModel):
    name: str


class MusicOut(BaseModel):
    id: str
    name: str
    category: str
    duration: float
    url: str


class MusicPage(BaseModel):
    count: int
    page: int
    page_size: int
    results: list[MusicOut]


def music_body(settings: Settings, track: music.Track) -> dict[str, Any]:
    return samples.music_entry(settings, track)  # shared with `linkreel musics`


@router.get("/api/music_categories/", response_model=list[CategoryOut], tags=["music"])
def music_categories(_ws: CurrentWorkspace) -> list[dict[str, str]]:
    return [{"name": name} for name in music.categories()]


@router.get("/api/musics/", response_model=MusicPage, tags=["music"])
def musics(
    request: Request, settings: SettingsDep, _ws: CurrentWorkspace,
    category: Annotated[str | None, Query(description="A category name")] = None,
    search: Annotated[str | None, Query(description="Case-insensitive match on name or category")] = None,
    page: PageQuery = None, page_size: PageSizeQuery = None, limit: LimitQuery = None,
) -> dict[str, Any]:
    tracks = list(music.TRACKS)
    if category:
        tracks = [t for t in tracks if t.category.lower() == category.strip().lower()]
    if search:
        needle = search.strip().lower()
        tracks = [t for t in tracks if needle in t.name.lower() or needle in t.category.lower()]
    paging = page_request(request)
    chunk = tracks[paging.offset : paging.offset + paging.page_size]  # past the end: an empty page
    return {"count": len(tracks), "page": paging.page, "page_size": paging.page_size,
            "results": [music_body(settings, t) for t in chunk]}


@router.api_route("/media/music/{track_id}.mp3", methods=["GET", "HEAD"], include_in_schema=False)
def music_file(track_id: str, settings: SettingsDep) -> FileResponse:
    track = next((t for t in music.TRACKS if t.id == track_id), None)
    if track is None:
        raise ApiError.not_found()
    return FileResponse(samples.ensure_music(settings, track), media_type="audio/mpeg")
