"""Custom personas: a workspace's own presenter built from one photo (contract §6.1 `type: "custom"`).

    jpeg = normalize_photo(data)                    -> the upload as a JPEG (InputError if not a usable picture)
    row = add_persona(session, workspace_id, fields) -> a `pending` CustomPersona (the photo goes to storage)
    process_persona(settings, db, persona_id)         -> the queued check: `done` with preview stills, or `failed`
    requeue_lost(settings, db)                        -> the sweep: checks a dead worker dropped, queued again
    photo_bytes(settings, row)                        -> the stored photo, for the avatar stage

The API accepts the photo at once and a queued task checks it (PhotoAvatar's face checks: exactly one
face, large enough) and draws its preview stills, so a create never waits on MediaPipe. A photo that
fails the check leaves the persona `failed` with the checker's own sentence as `failed_reason`.
MediaPipe is imported only by the task: the API process stays light.
"""

from __future__ import annotations

import io
import logging
import secrets
from datetime import timedelta
from functools import partial
from typing import Any

from PIL import Image, ImageFilter, ImageOps
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linkreel.avatars.personas import FILTERS
from linkreel.config import Settings
from linkreel.errors import InputError, LinkreelError
from linkreel.jobs.db import Database
from linkreel.jobs.models import CustomPersona, as_utc, utcnow
from linkreel.storage import open_storage, patiently

log = logging.getLogger("linkreel.avatars")

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")  # what browsers and phones produce; nothing animated or exotic
MAX_PHOTO_PIXELS = 40_000_000  # checked from the header, before decoding: no decompression bombs
MAX_PHOTO_SIDE = 2048  # kept for the presenter: plenty for a 540x720 sprite
PREVIEW_CANVAS: dict[str, tuple[int, int]] = {"9x16": (360, 640), "16x9": (640, 360), "1x1": (480, 480)}
_PREVIEW_FIELDS = {"16x9": "preview_image_16_9", "1x1": "preview_image_1_1", "9x16": "preview_image_9_16"}
LOST_AFTER_S = 120.0  # pending or processing this long without a change: its task died with a worker
STORAGE_DIR = "custom-personas"  # not "personas/": /media/personas/… are the library's preview routes


def normalize_photo(data: bytes) -> bytes:
    """The uploaded picture as an upright RGB JPEG of at most MAX_PHOTO_SIDE: EXIF (location!) dropped."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in PHOTO_FORMATS:
                raise InputError(f"the photo must be a JPEG, PNG or WebP picture, not {img.format or 'this file'}")
            if img.width * img.height > MAX_PHOTO_PIXELS:
                raise InputError(f"the photo is too large ({img.width}x{img.height} pixels)")
            photo = ImageOps.exif_transpose(img).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise InputError("the photo is not a picture linkreel can read") from exc
    photo.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92)
    return out.getvalue()


def photo_key(row: CustomPersona) -> str:
    return f"{row.media_prefix}/photo.jpg"


def preview_key(row: CustomPersona, aspect: str) -> str:
    return f"{row.media_prefix}/image_{aspect}.jpg"


def new_media_prefix() -> str:
    return f"{STORAGE_DIR}/{secrets.token_hex(16)}"


# --------------------------------------------------------------------------- rows


def get_custom(session: Session, workspace_id: str, persona_id: str) -> CustomPersona | None:
    """The workspace's custom persona; another workspace's is None, like an unknown id (404)."""
    return session.scalar(select(CustomPersona).where(CustomPersona.id == persona_id.strip().lower(),
                                                      CustomPersona.workspace_id == workspace_id))


def list_custom(session: Session, workspace_id: str, wanted: dict[str, set[str]]) -> list[CustomPersona]:
    """The workspace's custom personas, newest first, matching any value of each non-empty filter."""
    query = select(CustomPersona).where(CustomPersona.workspace_id == workspace_id)
    for name, values in wanted.items():
        if values and name in FILTERS:
            query = query.where(getattr(CustomPersona, name).in_(sorted(values)))
    rows = session.scalars(query.order_by(CustomPersona.created_at.desc(), CustomPersona.id)).all()
    for row in rows:
        session.expunge(row)  # read after the session closes (bodies are built outside it)
    return list(rows)


def ready_problem(session: Session, workspace_id: str, persona_id: str) -> str | None:
    """Why `override_avatar` cannot use this custom persona, or None when it can (done and active)."""
    row = get_custom(session, workspace_id, persona_id)
    if row is None:
        return None
    if row.process_status != "done":
        reason = f" ({row.failed_reason})" if row.failed_reason else ""
        return f'Persona "{row.id}" is not ready: its process_status is "{row.process_status}"{reason}.'
    if not row.is_active:
        return f'Persona "{row.id}" is not active.'
    return None


def preview_urls(settings: Settings, row: CustomPersona) -> dict[str, Any]:
    """The §6.1 preview fields: stills once the photo is processed, null before; no preview clips."""
    base = settings.public_url.rstrip("/")
    done = row.process_status == "done"
    return {field: f"{base}/media/{preview_key(row, aspect)}" if done else None
            for aspect, field in _PREVIEW_FIELDS.items()}


# --------------------------------------------------------------------------- the queued check


def sentence(exc: BaseException) -> str:
    text = str(exc).strip()
    return text[:1].upper() + text[1:] if text else "The photo could not be processed."


def render_previews(photo: Image.Image) -> dict[str, bytes]:
    """Preview stills per aspect: the presenter's crop (face found, checked) on a blurred copy of itself.
    Raises InputError with the face check's reason (no face, several, too small)."""
    from linkreel.avatars.photo import PhotoAvatar  # MediaPipe: only where the task runs
    from linkreel.avatars.stage import SPRITE_SIZE

    still = PhotoAvatar(photo).still(SPRITE_SIZE)
    out: dict[str, bytes] = {}
    for aspect, (w, h) in PREVIEW_CANVAS.items():
        canvas = ImageOps.fit(still, (w, h)).filter(ImageFilter.GaussianBlur(w / 24))
        front = ImageOps.contain(still, (w, h))
        canvas.paste(front, ((w - front.width) // 2, h - front.height))
        buf = io.BytesIO()
        canvas.save(buf, "JPEG", quality=88)
        out[aspect] = buf.getvalue()
    return out


def _set_status(db: Database, persona_id: str, status: str, reason: str | None = None) -> CustomPersona | None:
    with db.session(write=True) as s:
        row = s.get(CustomPersona, persona_id)
        if row is not None:
            row.process_status, row.failed_reason, row.updated_at = status, reason, utcnow()
            s.flush()
            s.expunge(row)
        return row


def process_persona(settings: Settings, db: Database, persona_id: str) -> None:
    """Check the photo and draw the previews; the row ends `done` or `failed` with a plain reason.
    A persona deleted meanwhile, or already finished (a re-delivered task), is left alone."""
    with db.session() as s:
        row = s.get(CustomPersona, persona_id)
        if row is None or row.process_status in ("done", "failed"):
            return
    row = _set_status(db, persona_id, "processing")
    if row is None:
        return
    storage = open_storage(settings)
    try:
        data = photo_bytes(settings, row)
        with Image.open(io.BytesIO(data)) as img:
            previews = render_previews(img.convert("RGB"))
        for aspect, jpeg in previews.items():
            key = preview_key(row, aspect)
            patiently(partial(storage.put_bytes, key, jpeg), settings.storage_patience_s, f"upload of {key}")
    except LinkreelError as exc:
        _set_status(db, persona_id, "failed", sentence(exc))
        return
    except Exception:  # a bug: say so plainly, keep the traceback in the log
        log.exception("custom persona %s could not be processed", persona_id)
        _set_status(db, persona_id, "failed", "The photo could not be processed; try another photo.")
        return
    _set_status(db, persona_id, "done")


def requeue_lost(settings: Settings, db: Database) -> list[str]:
    """Queue again the checks a dead worker left `pending` or `processing` (their queue task went with
    it). Touching `updated_at` in a conditional update makes concurrent sweeps queue each once; a check
    that runs twice finds the persona finished and leaves it. Returns the persona ids."""
    from linkreel.jobs.queue import enqueue_persona

    now = utcnow()
    with db.session() as s:
        unfinished = s.execute(select(CustomPersona.id, CustomPersona.updated_at)
                               .where(CustomPersona.process_status.in_(("pending", "processing")))).all()
    lost = []
    for persona_id, at in unfinished:
        if now - as_utc(at) <= timedelta(seconds=LOST_AFTER_S):
            continue
        with db.session(write=True) as s:
            taken = s.execute(update(CustomPersona)
                              .where(CustomPersona.id == persona_id, CustomPersona.updated_at == at,
                                     CustomPersona.process_status.in_(("pending", "processing")))
                              .values(process_status="pending", updated_at=now)).rowcount
        if taken:
            enqueue_persona(settings, persona_id)
            lost.append(persona_id)
    return lost


def photo_bytes(settings: Settings, row: CustomPersona) -> bytes:
    key = photo_key(row)
    data = patiently(lambda: open_storage(settings).get_bytes(key), settings.storage_patience_s, f"download of {key}")
    if data is None:
        raise InputError("the persona's photo is no longer in storage; upload it again")
    return data
