"""List endpoints (contract §1): plain lists with `ids=`, and the paginated shape.

Plain list (newest first, foreign or unknown ids silently left out):

    ids = parse_ids(request.query_params.get("ids"))          # None, or [uuid, ...]; 400 on bad input
    stmt = select(Link).where(Link.workspace_id == ws.id).order_by(Link.created_at.desc())
    if ids is not None:
        stmt = stmt.where(Link.id.in_(ids))

Paginated, from a query (counted and sliced in SQL) or from an in-memory sequence:

    return paginate_query(request, settings, session, stmt, serialize)   # serialize(row) -> dict
    return paginate_items(request, settings, items, serialize)

Both return `{"count", "next", "previous", "results"}`; `page` ≥ 1 (default 1), `page_size`
(alias `limit`) 1..100 (default 10, capped at 100, an invalid value means the default); a page
past the end or a non-integer page → 404 {"detail": "Invalid page."}. `next`/`previous` are
absolute URLs on `settings.public_url` keeping the other query parameters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Query, Request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from linkreel.api.errors import ApiError
from linkreel.config import Settings

T = TypeVar("T")

MAX_IDS = 100
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
INVALID_PAGE = "Invalid page."

# For endpoint signatures (documentation only: `page_request` reads and checks the values, so a
# bad page is the contract's 404 "Invalid page." rather than a validation error).
PageQuery = Annotated[str | None, Query(description="Page number, from 1")]
PageSizeQuery = Annotated[str | None, Query(description="Items per page, 1-100 (default 10)")]
LimitQuery = Annotated[str | None, Query(description="Alias of page_size")]


def parse_ids(raw: str | None) -> list[str] | None:
    """`ids=a,b,c` → lowercase UUID strings; None when absent or empty (meaning: all)."""
    if raw is None or not raw.strip():
        return None
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if len(parts) > MAX_IDS:
        raise ApiError.field("ids", f"Maximum {MAX_IDS} entries allowed.")
    out = []
    for part in parts:
        try:
            out.append(str(uuid.UUID(part)))
        except ValueError:
            raise ApiError.field("ids", "Must be a valid UUID.") from None
    return out


def is_uuid(value: str) -> bool:
    """Path ids: a malformed one is simply "Not found." (contract §1)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class PageRequest:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def _positive_int(text: str | None) -> int | None:
    try:
        value = int(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and value >= 1 else None


def page_request(request: Request) -> PageRequest:
    params = request.query_params
    raw_page = params.get("page")
    page = _positive_int(raw_page) if raw_page not in (None, "") else 1
    if page is None:
        raise ApiError.detail(404, INVALID_PAGE)
    size = _positive_int(params.get("page_size")) or _positive_int(params.get("limit")) or DEFAULT_PAGE_SIZE
    return PageRequest(page=page, page_size=min(size, MAX_PAGE_SIZE))


def page_url(request: Request, settings: Settings, page: int) -> str:
    """This request's URL on the public base, with `page` set and the other parameters kept."""
    items = list(request.query_params.multi_items())
    if any(k == "page" for k, _ in items):
        items = [(k, str(page) if k == "page" else v) for k, v in items]
    else:
        items.insert(0, ("page", str(page)))
    return f"{settings.public_url.rstrip('/')}{request.url.path}?{urlencode(items)}"


def page_body(
    request: Request, settings: Settings, count: int, results: list[Any], page: PageRequest
) -> dict[str, Any]:
    last = max(1, -(-count // page.page_size))
    if page.page > last:
        raise ApiError.detail(404, INVALID_PAGE)
    return {
        "count": count,
        "next": page_url(request, settings, page.page + 1) if page.page < last else None,
        "previous": page_url(request, settings, page.page - 1) if page.page > 1 else None,
        "results": results,
    }


def paginate_items(
    request: Request, settings: Settings, items: Sequence[T], serialize: Callable[[T], Any]
) -> dict[str, Any]:
    page = page_request(request)
    chunk = items[page.offset : page.offset + page.page_size]
    return page_body(request, settings, len(items), [serialize(i) for i in chunk], page)


def paginate_query(
    request: Request, settings: Settings, session: Session, stmt: Select[Any], serialize: Callable[[Any], Any]
) -> dict[str, Any]:
    """`stmt` selects ORM rows (already filtered and ordered); counts and slices it in SQL."""
    page = page_request(request)
    count = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.offset(page.offset).limit(page.page_size)).all()
    return page_body(request, settings, count, [serialize(r) for r in rows], page)
