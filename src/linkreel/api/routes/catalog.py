"""Read-only catalogs (contract §6.1–6.3): personas, voices, music; plus their audio under /media.

All free GETs. Voices come from `voice.catalog` (the accent id is the voice id `override_voice`
takes), personas from `avatars.personas` (preview stills and clips from
`avatars.previews`, rendered on first request), music from `media.music`; preview audio is rendered on
first request by `api.samples`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from linkreel.api import samples
from linkreel.api.auth import CurrentWorkspace
from linkreel.api.deps import SettingsDep
from linkreel.api.errors import ApiError, FieldErrors, invalid_choice
from linkreel.api.formats import iso_z
from linkreel.api.pagination import LimitQuery, PageQuery, PageSizeQuery, page_request, paginate_items
from linkreel.avatars import previews
from linkreel.avatars.personas import FILTERS, LIBRARY_DATE, Persona, filter_personas, get_persona, personas
from linkreel.config import Settings
from linkreel.errors import InputError
from linkreel.media import music
from linkreel.voice import catalog as voice_catalog
from linkreel.voice.speech import Voice

router = APIRouter()


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


FilterParam = Annotated[str | None, Query(description="Comma-separated values; matches any of them")]


def _filtered_personas(
    age_range: str | None, gender: str | None, location: str | None, style: str | None
) -> list[Persona]:
    errors = FieldErrors()
    wanted: dict[str, set[str]] = {}
    for name, raw in (("age_range", age_range), ("gender", gender), ("location", location), ("style", style)):
        values = {v.strip() for v in (raw or "").split(",") if v.strip()}
        for value in sorted(values - set(FILTERS[name])):
            errors.add(name, invalid_choice(value))
        wanted[name] = values
    errors.raise_if_any()
    return filter_personas(personas(), **wanted)


@router.get("/api/personas/", response_model=list[PersonaOut], tags=["personas"])
def list_personas(
    settings: SettingsDep, _ws: CurrentWorkspace, age_range: FilterParam = None, gender: FilterParam = None,
    location: FilterParam = None, style: FilterParam = None,
) -> list[dict[str, Any]]:
    return [persona_body(settings, p) for p in _filtered_personas(age_range, gender, location, style)]


@router.get("/api/personas/paginated/", response_model=PersonaPage, tags=["personas"])
def paginated_personas(
    request: Request, settings: SettingsDep, _ws: CurrentWorkspace, age_range: FilterParam = None,
    gender: FilterParam = None, location: FilterParam = None, style: FilterParam = None,
    page: PageQuery = None, page_size: PageSizeQuery = None, limit: LimitQuery = None,
) -> dict[str, Any]:
    items = _filtered_personas(age_range, gender, location, style)
    return paginate_items(request, settings, items, lambda p: persona_body(settings, p))


@router.get("/api/personas/{persona_id}/", response_model=PersonaOut, tags=["personas"])
def get_one_persona(persona_id: str, settings: SettingsDep, _ws: CurrentWorkspace) -> dict[str, Any]:
    persona = get_persona(persona_id)
    if persona is None:
        raise ApiError.not_found()
    return persona_body(settings, persona)


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
