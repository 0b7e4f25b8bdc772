"""`/media/<key>`: finished videos, thumbnails and player data from the storage backend.

No API key: media URLs are capabilities (random ids), as the contract's `video_output` links are.
Local and S3 storage are served the same way, streamed with single-range support so players can
seek; with `LINKREEL_STORAGE_PRESIGN=true` an S3 object is a redirect to a presigned URL instead.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from linkreel.api.errors import ApiError
from linkreel.errors import InputError
from linkreel.storage import STAGES_PREFIX, Storage, StorageError, check_key

router = APIRouter(include_in_schema=False)

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None) -> tuple[int, int | None] | None:
    """One `bytes=a-b` / `bytes=a-` range; anything else (several ranges, suffix ranges) → whole file."""
    match = _RANGE.match((header or "").strip())
    if not match or not match.group(1):
        return None
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else None
    if end is not None and end < start:
        return None
    return start, end


@router.api_route("/media/{key:path}", methods=["GET", "HEAD"])
def media(key: str, request: Request) -> Response:
    storage: Storage = request.app.state.storage
    try:
        check_key(key)
    except InputError:
        raise ApiError.not_found() from None
    if key.startswith(f"{STAGES_PREFIX}/"):  # work in progress, for workers only
        raise ApiError.not_found()
    if request.app.state.settings.storage_presign:
        url = storage.presigned_url(key)
        if url:
            return RedirectResponse(url, status_code=307)
    byte_range = parse_range(request.headers.get("range"))
    try:
        blob = storage.open(key, byte_range)
    except ValueError:  # the range starts past the end
        return Response(status_code=416, headers={"Content-Range": "bytes */*"})
    except StorageError as exc:
        raise ApiError.detail(503, str(exc)) from None
    if blob is None:
        raise ApiError.not_found()
    headers = {"Accept-Ranges": "bytes", "Content-Length": str(blob.end - blob.start + 1),
               "Cache-Control": "public, max-age=3600"}
    status = 200
    if byte_range is not None:
        status = 206
        headers["Content-Range"] = f"bytes {blob.start}-{blob.end}/{blob.size}"
    if request.method == "HEAD":
        blob.chunks.close()
        return Response(status_code=status, headers=headers, media_type=blob.content_type)
    return StreamingResponse(blob.chunks, status_code=status, headers=headers, media_type=blob.content_type)
