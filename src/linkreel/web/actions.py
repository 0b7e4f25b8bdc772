"""The JSON endpoints our pages' scripts call (`/web/api/…`): the API's own route functions, with the
session's workspace instead of key headers.

Each endpoint calls the public route function of `linkreel.api.routes.*` (same validation, credits,
idempotency, errors), so the web app cannot drift from the API. Writes need the session's CSRF token
in `X-CSRF-Token`. Errors are the API's DRF-shaped bodies (`{"field": ["message"]}`), which the
scripts show next to the matching field.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select

from linkreel.api.body import body_dependency
from linkreel.api.errors import ApiError
from linkreel.api.routes import credits as credit_routes
from linkreel.api.routes import links as link_routes
from linkreel.api.routes import videos as video_routes
from linkreel.api.video_params import FORM_KINDS, PARAM_FIELDS
from linkreel.jobs.links import get_link, link_brief
from linkreel.jobs.models import VideoJob
from linkreel.script.model import SceneRole
from linkreel.web import read_preview
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


MAX_SCENES = 20
MAX_ON_SCREEN = 120
SCENE_ROLES = tuple(role.value for role in SceneRole)
MAX_VERSIONS = 50


def _one_line(value: Any, what: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError.field("scenes", f"{what} must be text.")
    text = " ".join(value.split())
    if len(text) > limit:
        raise ApiError.field("scenes", f"{what} is longer than {limit} characters.")
    return text


def _media_pick(value: Any, scene: int, count: int, what: str) -> int | None:
    """A scene's picked image or clip: an index into the `count` the ad has, or None (not picked)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        raise ApiError.field("scenes", f"Scene {scene}'s {what} is not one of this product's {what}s.")
    return value


def scenes_from_edit(raw: Any, n_images: int = 0, n_clips: int = 0) -> list[dict[str, Any]]:
    """The editor's scenes, in the user's order → the runner's `work["scenes"]` (Scene fields). A scene
    keeps its role (the storyboard picks cards by role); a scene without a spoken line is refused
    rather than dropped, so the user sees which one and decides. `image` is an index into the link's
    `n_images` usable images (None: the storyboard picks); `clip` one into the edited preview's `n_clips`
    b-roll clips, shown instead of a photo."""
    if not isinstance(raw, list) or not raw:
        raise ApiError.field("scenes", "Keep at least one scene.")
    if len(raw) > MAX_SCENES:
        raise ApiError.field("scenes", f"An ad has at most {MAX_SCENES} scenes.")
    scenes = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise ApiError.field("scenes", f"Scene {i} must be an object.")
        spoken = _one_line(item.get("text"), f"Scene {i}'s spoken line", MAX_SCENE_LINE)
        if not spoken:
            raise ApiError.field("scenes", f"Scene {i} has no spoken line: write one or delete the scene.")
        on_screen = _one_line(item.get("on_screen"), f"Scene {i}'s on-screen text", MAX_ON_SCREEN)
        role = item.get("role") if item.get("role") in SCENE_ROLES else SceneRole.BENEFIT.value
        image = _media_pick(item.get("image"), i, n_images, "image")
        clip = _media_pick(item.get("clip"), i, n_clips, "clip")
        if image is not None and clip is not None:
            raise ApiError.field("scenes", f"Scene {i} shows either an image or a clip, not both.")
        scenes.append({"role": role, "spoken": spoken, "on_screen": on_screen, "image": image, "clip": clip})
    return scenes


def link_images(job: VideoJob) -> list[str]:
    """The file names of the job's usable link images, in the storyboard's order (what `Scene.image`
    indexes): the images the link's brief has a file for."""
    images = ((job.work or {}).get("brief") or {}).get("images") or []
    return [PurePath(img["path"]).name for img in images if img.get("path")]


def clip_count(request: Request, media_job: str | None) -> int:
    """How many b-roll clips the preview offers for picking (their stills, `clips` in its page data)."""
    return len((read_preview(request, media_job) or {}).get("clips") or []) if media_job else 0


# What the editor may change besides the scenes (contract §3.2 fields); null goes back to the default.
EDITABLE = ("override_voice", "background_music_url", "no_background_music", "background_music_volume",
            "voiceover_volume", "caption_style", "caption_setting")
# The editor's presenter choices besides a persona id and null (matched to the product): none at all (the
# API has no value for it, so the job's `work` keeps it: `no_presenter`, see runner.editor_request), and the
# job's own photo (`override_avatar_by_image`), which the grid has no card for.
NO_PRESENTER = "none"
PHOTO = "photo"
# What a job's `work` keeps of the editor that its parameters cannot say.
EDITOR_WORK = ("scenes", "no_presenter")


def editor_work(work: dict[str, Any] | None) -> dict[str, Any]:
    """The editor's part of a job's `work`, for a re-run of the job."""
    kept = work or {}
    return {name: kept[name] for name in EDITOR_WORK if kept.get(name)}


def presenter(job: VideoJob) -> str | None:
    """The job's presenter as the editor's choice: a persona id, NO_PRESENTER, PHOTO, or None (matched)."""
    params = job.params or {}
    if (job.work or {}).get("no_presenter"):
        return NO_PRESENTER
    return params.get("override_avatar") or (PHOTO if params.get("override_avatar_by_image") else None)


def apply_presenter(body: dict[str, Any], work: dict[str, Any], choice: str | None) -> None:
    """A presenter choice into a new version's request (`body`, the job's own) and `work`. A persona id is
    checked by the API like any `override_avatar` (the library's, or one of the workspace's ready ones)."""
    if choice == PHOTO:
        return  # the job's own photo stays in `body`
    body.pop("override_avatar_by_image", None)  # the API takes no persona together with a photo
    body.pop("override_avatar", None)
    if choice == NO_PRESENTER:
        work["no_presenter"] = True
    elif choice is not None:
        body["override_avatar"] = choice


def apply_settings(body: dict[str, Any], data: dict[str, Any]) -> None:
    """The editor's voice, music, volumes and captions over the job's own request; the API's validation
    (in `_preview`) then reports a bad value on its field."""
    for name in EDITABLE:
        if name not in data:
            continue
        if data[name] is None:
            body.pop(name, None)
        else:
            body[name] = data[name]


def _same_request(job: VideoJob) -> dict[str, Any]:
    """The job's validated parameters as a request body again (what the API was asked for)."""
    params = dict(job.params or {})
    body = {name: params[name] for name in PARAM_FIELDS if params.get(name) is not None}
    body["link"] = params["link"]
    return body


@router.post("/videos/{job_id}/repreview/")
def repreview(job_id: str, request: Request, session: SignedInWrite, data: BodyDep) -> Any:
    """A new preview of this job's ad with the edited scenes (the job's own parameters otherwise): a new
    version of the ad, which remembers the one it was made from (`work["parent"]`, for undo). The scenes
    go to the runner as they are; their lines also become `override_script`, so the API shows the words.
    The runner takes what the edit did not change (scrape, voice, b-roll…) from this version's stage cache
    (runner._plan), so a new presenter redoes the presenter and the render only. Plain `lines` also work.
    The `EDITABLE` fields (voice, music, volumes, caption style and `caption_setting`) and the presenter
    (`override_avatar`: a persona id, NO_PRESENTER or null), when sent, replace the job's own (null: back
    to the default)."""
    db, settings, fetcher, _ = _state(request)
    with db.session() as s:
        job = video_routes._owned(s, session.workspace, job_id)
        chosen = next((p for p in job.previews or [] if p["media_job"] == data.get("media_job")), None)
    work: dict[str, Any] = {}
    if "scenes" in data:
        edited = chosen["media_job"] if chosen else job.media_job
        scenes = scenes_from_edit(data["scenes"], len(link_images(job)), clip_count(request, edited))
        work["scenes"] = scenes
        lines: list[Any] = [scene["spoken"] for scene in scenes]
    else:
        lines = data.get("lines")  # type: ignore[assignment]
        if not isinstance(lines, list):
            raise ApiError.field("lines", "Send the scene lines as a list.")
    work["parent"] = job.id
    body = _same_request(job)
    if chosen is not None:  # a preview-list job: edit the preview the user was looking at
        body.update(visual_style=chosen["visual_style"], aspect_ratio=chosen["aspect_ratio"])
    apply_settings(body, data)
    apply_presenter(body, work, data["override_avatar"] if "override_avatar" in data else presenter(job))
    body["override_script"] = script_from_lines(lines)
    return video_routes._preview(db, settings, session.workspace, fetcher, body, work=work)


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


@router.post("/videos/{job_id}/rerun/")
def rerun(job_id: str, request: Request, session: SignedInWrite) -> Any:
    """The same request again as a new job, charged like a new one: a render makes the same outputs, a
    preview (with its edited scenes) or a preview list the same previews."""
    db, settings, fetcher, _ = _state(request)
    with db.session() as s:
        job = video_routes._owned(s, session.workspace, job_id)
    body, work = _same_request(job), job.work or {}
    if job.kind == "create":
        body["aspect_ratios"] = _distinct([o["aspect_ratio"] for o in job.outputs or []]) or [body["aspect_ratio"]]
        return video_routes._create(db, settings, session.workspace, fetcher, body)
    if job.kind == "preview_list":
        entries = work.get("previews") or []
        body.pop("visual_style", None)  # render_single_preview points these at the rendered preview
        body.pop("aspect_ratio", None)
        body["visual_styles"] = _distinct([e["visual_style"] for e in entries])
        body["aspect_ratios"] = _distinct([e["aspect_ratio"] for e in entries])
        return video_routes._preview_list(db, settings, session.workspace, fetcher, body)
    return video_routes._preview(db, settings, session.workspace, fetcher, body, work=editor_work(work))


def versions(request: Request, session: SignedIn, job: VideoJob) -> list[dict[str, Any]]:
    """The editor's versions of this ad, oldest first, ending with `job`, then the newest version made
    from it, if any (after an undo: the way forward again). Each: id, number, created, current."""
    chain = [job]
    with request.app.state.db.session() as s:
        while len(chain) < MAX_VERSIONS and (parent := (chain[-1].work or {}).get("parent")):
            row = s.get(VideoJob, parent)
            if row is None or row.workspace_id != session.workspace.id:
                break
            chain.append(row)
        newer = s.scalars(select(VideoJob).where(
            VideoJob.workspace_id == session.workspace.id,
            VideoJob.work["parent"].as_string() == job.id).order_by(VideoJob.created_at.desc()).limit(1)).first()
    chain.reverse()
    listed = [{"id": row.id, "number": i + 1, "created": row.created_at.strftime("%H:%M:%S"), "current": row is job}
              for i, row in enumerate(chain)]
    if newer is not None:
        listed.append({"id": newer.id, "number": len(chain) + 1, "created": newer.created_at.strftime("%H:%M:%S"),
                       "current": False})
    return listed


def owned_job(request: Request, session: SignedIn, job_id: str) -> VideoJob:
    """The session's job, detached (404 for another workspace's)."""
    with request.app.state.db.session() as s:
        return video_routes._owned(s, session.workspace, job_id)
