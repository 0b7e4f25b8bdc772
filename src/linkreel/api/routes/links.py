"""Links (contract §2): scrape a page, or take the caller's content; list, read and edit.

The content work (scraping, downloads, summary) lives in `jobs.links`; this module validates the
body, charges the credit and shapes `Link` / `InnerLink` responses. A failed create stores
nothing and costs nothing: the balance is checked before the (slow) scrape, and charged in the
transaction that inserts the row. Both creates honour `Idempotency-Key` (contract §7).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from linkreel.api.auth import CurrentWorkspace
from linkreel.api.body import body_dependency, openapi_body
from linkreel.api.deps import DbDep, FetcherDep, SettingsDep, StorageDep
from linkreel.api.errors import ApiError, FieldErrors
from linkreel.api.idempotency import idempotent, note_created
from linkreel.api.pagination import LimitQuery, PageQuery, PageSizeQuery, paginate_query, parse_ids
from linkreel.api.validate import Validator
from linkreel.jobs import credits
from linkreel.jobs.links import (
    LinkContent,
    LinkFailed,
    MediaErrors,
    content_from_params,
    get_link,
    link_image_dir,
    publish_images,
    scrape_link,
    update_content,
)
from linkreel.jobs.models import Link, Workspace, new_id
from linkreel.scrape.brief import Brief
from linkreel.storage import Storage

router = APIRouter(tags=["links"])

MAX_URL = 1000
MAX_LOGO_URL = 200
MAX_MEDIA = 50  # per list; more is never useful in a 60 s ad
_KINDS = {"image_urls": "list", "video_urls": "list", "reviews": "object"}


# --------------------------------------------------------------------------- schemas (docs + responses)


class LinkCreate(BaseModel):
    url: str = Field(max_length=MAX_URL, description="The product page to scrape (http or https)")


class LinkParams(BaseModel):
    url: str | None = Field(None, max_length=MAX_URL)
    title: str | None = Field(None, max_length=1000)
    description: str | None = None
    image_urls: list[str] = Field(default_factory=list, description="At least 3 when there is no video")
    video_urls: list[str] = Field(default_factory=list)
    logo_url: str | None = Field(None, max_length=MAX_LOGO_URL)
    reviews: Any = Field(None, description="Any JSON; the scraper writes [{rating, text, author}]")


class InnerLinkOut(BaseModel):
    id: str
    url: str | None
    title: str | None
    description: str | None
    image_urls: list[str]
    video_urls: list[str]
    logo_url: str | None
    reviews: Any
    ai_summary: str | None


class LinkOut(BaseModel):
    id: str
    url: str | None
    link: InnerLinkOut


class LinkPage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[LinkOut]


def inner_body(link: Link) -> dict[str, Any]:
    return {
        "id": link.id, "url": link.url, "title": link.title, "description": link.description,
        "image_urls": list(link.image_urls or []), "video_urls": list(link.video_urls or []),
        "logo_url": link.logo_url, "reviews": link.reviews, "ai_summary": link.ai_summary,
    }


def link_body(link: Link) -> dict[str, Any]:
    return {"id": link.id, "url": link.url, "link": inner_body(link)}


# --------------------------------------------------------------------------- helpers


def _validate_content(data: dict[str, Any]) -> dict[str, Any]:
    """The writable InnerLink fields present in `data` (link_with_params, PUT, PATCH)."""
    v = Validator(data)
    v.url("url", max_length=MAX_URL)
    v.string("title", max_length=1000)
    v.string("description")
    v.url_list("image_urls", max_items=MAX_MEDIA)
    v.url_list("video_urls", max_items=MAX_MEDIA)
    v.url("logo_url", max_length=MAX_LOGO_URL)
    v.any("reviews")  # ai_summary is read-only: ignored if sent
    return v.result()


def _media_errors(exc: MediaErrors) -> ApiError:
    errors = FieldErrors()
    for name, value in exc.errors.items():
        if isinstance(value, dict):
            for index, message in value.items():
                errors.add((name, index), message)
        else:
            errors.add(name, value)
    return ApiError.fields(errors.errors)


def _check_balance(db: DbDep, workspace: Workspace, cost: float) -> None:
    """Fail fast, before a slow scrape; the charge itself re-checks inside its transaction."""
    with db.session() as session:
        remaining = credits.balance(session, workspace.id)
    if cost > remaining + 1e-9:
        raise credits.insufficient(cost, remaining)


def _store(db: DbDep, workspace: Workspace, link_id: str, content: LinkContent, url: str | None) -> Link:
    with db.session(write=True) as session:
        credits.charge(session, workspace.id, credits.cost_link(), "link", link_id)
        link = Link(id=link_id, workspace_id=workspace.id, **{**content.columns(), "url": url})
        session.add(link)
        note_created(session, link_id)  # a retry after a crash answers with this link instead of making another
    return link


def _replay(db: DbDep, workspace: Workspace) -> Callable[[str], dict[str, Any]]:
    """The answer for a link an interrupted request with the same Idempotency-Key created."""
    def replay(link_id: str) -> dict[str, Any]:
        with db.session() as session:
            link = get_link(session, workspace.id, link_id)
            if link is None:  # deleted since: the retry says so rather than making another
                raise ApiError.not_found()
            return link_body(link)
    return replay


def _create(db: DbDep, settings: SettingsDep, storage: Storage, workspace: Workspace, make: Any,
            url: str | None) -> dict[str, Any]:
    """Shared by both creates: balance check, content (`make(image_dir)`), charge + insert."""
    _check_balance(db, workspace, credits.cost_link())
    link_id = new_id()
    image_dir = link_image_dir(settings, link_id)
    try:
        try:
            content = make(image_dir)
        except LinkFailed as exc:
            raise ApiError.invalid(str(exc)) from None
        except MediaErrors as exc:
            raise _media_errors(exc) from None
        publish_images(storage, link_id, content.brief)
        link = _store(db, workspace, link_id, content, url)
    except BaseException:
        shutil.rmtree(image_dir.parent, ignore_errors=True)  # nothing was stored: no files either
        raise
    return link_body(link)


# --------------------------------------------------------------------------- endpoints


@router.post("/api/links/", response_model=LinkOut, openapi_extra=openapi_body(LinkCreate))
def create_link(
    request: Request, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep, fetcher: FetcherDep,
    storage: StorageDep, data: Annotated[dict[str, Any], Depends(body_dependency(_KINDS))],
) -> Any:
    """Scrape a product page now and store its content (1 credit)."""

    def handler() -> dict[str, Any]:
        v = Validator(data)
        v.url("url", required=True, max_length=MAX_URL)
        url = v.result()["url"]
        return _create(db, settings, storage, workspace, lambda image_dir: scrape_link(url, fetcher, image_dir), url)

    return idempotent(request, db, workspace.id, data, handler, replay=_replay(db, workspace))


@router.post("/api/links/link_with_params/", response_model=LinkOut, openapi_extra=openapi_body(LinkParams))
def create_link_with_params(
    request: Request, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep, fetcher: FetcherDep,
    storage: StorageDep, data: Annotated[dict[str, Any], Depends(body_dependency(_KINDS))],
) -> Any:
    """Store the caller's content without scraping; every media URL must download (1 credit)."""

    def handler() -> dict[str, Any]:
        fields = _validate_content(data)
        return _create(db, settings, storage, workspace,
                       lambda image_dir: content_from_params(fields, fetcher, image_dir), fields.get("url"))

    return idempotent(request, db, workspace.id, data, handler, replay=_replay(db, workspace))


@router.get("/api/links/", response_model=list[LinkOut])
def list_links(
    workspace: CurrentWorkspace, db: DbDep,
    ids: Annotated[str | None, Query(description="1-100 comma-separated link ids")] = None,
) -> list[dict[str, Any]]:
    wanted = parse_ids(ids)
    stmt = select(Link).where(Link.workspace_id == workspace.id).order_by(Link.created_at.desc(), Link.id)
    if wanted is not None:
        stmt = stmt.where(Link.id.in_(wanted))
    with db.session() as session:
        return [link_body(link) for link in session.scalars(stmt)]


@router.get("/api/links/paginated/", response_model=LinkPage)
def paginated_links(
    request: Request, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep,
    page: PageQuery = None, page_size: PageSizeQuery = None, limit: LimitQuery = None,
) -> dict[str, Any]:
    stmt = select(Link).where(Link.workspace_id == workspace.id).order_by(Link.created_at.desc(), Link.id)
    with db.session() as session:
        return paginate_query(request, settings, session, stmt, link_body)


@router.get("/api/links/{link_id}/", response_model=LinkOut)
def get_one_link(link_id: str, workspace: CurrentWorkspace, db: DbDep) -> dict[str, Any]:
    with db.session() as session:
        link = get_link(session, workspace.id, link_id)
        if link is None:
            raise ApiError.not_found()
        return link_body(link)


def _update(link_id: str, workspace: Workspace, db: DbDep, settings: SettingsDep, fetcher: FetcherDep,
            storage: Storage, data: dict[str, Any]) -> dict[str, Any]:
    with db.session() as session:
        link = get_link(session, workspace.id, link_id)
    if link is None:
        raise ApiError.not_found()
    changes = _validate_content(data)
    try:  # downloads happen outside any transaction
        columns = update_content(link, changes, fetcher, link_image_dir(settings, link.id))
    except LinkFailed as exc:
        raise ApiError.invalid(str(exc)) from None
    except MediaErrors as exc:
        raise _media_errors(exc) from None
    if "brief" in columns:
        publish_images(storage, link.id, Brief.model_validate(columns["brief"]))
    with db.session(write=True) as session:
        fresh = get_link(session, workspace.id, link_id)
        if fresh is None:
            raise ApiError.not_found()
        for name, value in columns.items():
            setattr(fresh, name, value)
        session.flush()
        return inner_body(fresh)


@router.put("/api/links/{link_id}/", response_model=InnerLinkOut, openapi_extra=openapi_body(LinkParams))
def put_link(
    link_id: str, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep, fetcher: FetcherDep,
    storage: StorageDep, data: Annotated[dict[str, Any], Depends(body_dependency(_KINDS))],
) -> dict[str, Any]:
    """Edit the content before creating videos; fields left out keep their value (free)."""
    return _update(link_id, workspace, db, settings, fetcher, storage, data)


@router.patch("/api/links/{link_id}/", response_model=InnerLinkOut, openapi_extra=openapi_body(LinkParams))
def patch_link(
    link_id: str, workspace: CurrentWorkspace, db: DbDep, settings: SettingsDep, fetcher: FetcherDep,
    storage: StorageDep, data: Annotated[dict[str, Any], Depends(body_dependency(_KINDS))],
) -> dict[str, Any]:
    """Same as PUT."""
    return _update(link_id, workspace, db, settings, fetcher, storage, data)
