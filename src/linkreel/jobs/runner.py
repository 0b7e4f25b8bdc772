"""Runs a video job from its database row: the row is the truth, the queue only says "look at job X".

Two kinds of work, each a queue action:

* `"render"`: every `outputs[]` entry that is `in_queue`/`running` is planned (cached stages) and
  rendered at full size, then published to `<media>/<media_job>/output.mp4` + `thumb.jpg`;
* `"preview"`: every `work["previews"]` entry not yet ready gets its storyboard (script, voice,
  timeline: written to `<media>/<media_job>/preview.json` for the player page) and a low-resolution
  preview video (540 px on the long side), published together when all are ready.

Stages are cached under `<data_dir>/work/<job id>`, so a job re-queued after its worker died resumes
from its last finished stage. A worker claims an action in the row (`work["claims"]`) and beats a
heartbeat while it works; `recover()` re-queues work whose claimer is gone (dead pid on this host,
or a heartbeat older than `STALE_S`). Credits are charged by the API when it accepts a request;
a step that fails is refunded here, once (the ledger is unique per job and kind).

Status (contract §3.3): the top-level render fields mirror the output named by `media_job`; the
job is `running` while any output of the batch renders, then takes that output's final status.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkreel.api.samples import track_for_url
from linkreel.avatars import custom
from linkreel.avatars.custom import get_custom, photo_bytes, ready_problem
from linkreel.avatars.personas import get_persona
from linkreel.config import Settings
from linkreel.errors import InputError, LinkreelError
from linkreel.jobs import credits, webhooks
from linkreel.jobs.db import Database
from linkreel.jobs.links import localize_images
from linkreel.jobs.models import VideoJob, as_utc
from linkreel.jobs.webhooks import add_delivery, previews_payload, render_payload
from linkreel.logs import job_context
from linkreel.media.caption_setting import request_setting
from linkreel.media.probe import probe
from linkreel.media.storyboard import LEAD_IN_MS
from linkreel.pipeline import AdPlan, AdRequest, Progress, plan_ad, render_plan
from linkreel.processes import pid_alive
from linkreel.scrape.brief import Brief
from linkreel.script.model import Scene
from linkreel.script.styles import STYLES as SCRIPT_STYLES
from linkreel.stages import StageSource, StorageMirror, WorkDirSeed
from linkreel.storage import STAGES_PREFIX, StorageError, open_storage, patiently

log = logging.getLogger("linkreel.runner")

STAGE_NAMES = ("scrape", "script", "voice", "avatar", "storyboard", "render", "encode")  # contract §7
# Share of the overall progress per stage: the encode-heavy render dominates.
_WEIGHTS = {"scrape": 0.08, "script": 0.04, "voice": 0.08, "avatar": 0.0, "storyboard": 0.05, "render": 0.7,
            "encode": 0.05}
# Our pipeline's stages → the contract's names (music, captions and timeline make the storyboard).
_PIPELINE_STAGES = {"scrape": "scrape", "script": "script", "voice": "voice", "avatar": "avatar",
                    "music": "storyboard", "broll": "storyboard", "captions": "storyboard", "timeline": "storyboard",
                    "render": "render"}

PREVIEW_LONG_SIDE = 540
HEARTBEAT_S = 5.0
STALE_S = 60.0  # a claim without a heartbeat for this long belongs to a dead worker
MAX_ATTEMPTS = 3  # claims of one action before we stop retrying a job that keeps killing its worker
FLUSH_S = 0.5  # at most this often, progress is written to the row
ACTIVE = ("in_queue", "running")

HOST = socket.gethostname()
WORKER_ID = f"{HOST}:{os.getpid()}"
# The claim a sweep leaves on work it re-queued: "live" for STALE_S, so sweeps (every serve and
# worker runs one) do not queue the same task again meanwhile; any worker may take it over.
REQUEUED = "requeued"

def script_style_for(script_style: str, visual_style: str) -> str:
    """A `LegoScript<X>Hook` visual style opens on hook X (contract §4.1): it picks the script style."""
    if visual_style.startswith("LegoScript") and visual_style.endswith("Hook"):
        hook = visual_style.removeprefix("LegoScript")
        if hook in SCRIPT_STYLES:
            return hook
    return script_style


def preview_size(aspect: str) -> tuple[int, int]:
    w, h = {"9x16": (9, 16), "16x9": (16, 9), "1x1": (1, 1)}[aspect]
    scale = PREVIEW_LONG_SIDE / max(w, h)
    return (round(w * scale / 2) * 2, round(h * scale / 2) * 2)


# --------------------------------------------------------------------------- URLs and paths


def public_url(settings: Settings, path: str) -> str:
    return f"{settings.public_url.rstrip('/')}/{path.lstrip('/')}"


def media_url(settings: Settings, media_job: str, name: str) -> str:
    return public_url(settings, f"media/{media_job}/{name}")


def preview_page_url(settings: Settings, media_job: str) -> str:
    return public_url(settings, f"preview/{media_job}/")


def editor_url(settings: Settings, job_id: str, preview: str | None = None) -> str:
    return public_url(settings, f"editor/{job_id}/") + (f"?preview={preview}" if preview else "")


def work_dir(settings: Settings, job_id: str) -> Path:
    return settings.work_path / job_id


# --------------------------------------------------------------------------- from the row to a request


def ad_request(params: dict[str, Any], visual_style: str, aspect: str) -> AdRequest:
    """Contract §3.2 parameters → the pipeline's request for one (style, ratio)."""
    caption_setting = params.get("caption_setting") or {}
    music = "none" if params.get("no_background_music") else (params.get("background_music_url") or "auto")
    return AdRequest(
        source="",
        aspect=aspect,
        length=int(params.get("video_length") or 30),
        language=params.get("language") or "en",
        script_style=script_style_for(params.get("script_style") or "DiscoveryWriter", visual_style),
        visual_style=visual_style,  # every §4.1 style is a template (media/templates)
        voice=params.get("override_voice"),
        music=music,
        music_volume=params.get("background_music_volume"),
        voice_volume=params.get("voiceover_volume"),
        end_card=not params.get("no_cta"),
        captions=not (params.get("no_caption") or caption_setting.get("hidden") is True),
        script_text=params.get("override_script") or None,
        target_platform=params.get("target_platform"),
        target_audience=params.get("target_audience"),
        no_emotion=bool(params.get("no_emotion")),
        avatar=params.get("override_avatar") or None,
        avatar_image=params.get("override_avatar_by_image") or None,
        stock_broll=not params.get("no_stock_broll"),
        caption_style=params.get("caption_style"),
        caption_setting=request_setting(caption_setting, params.get("caption_offset_x"),
                                        params.get("caption_offset_y")),
    )


# --------------------------------------------------------------------------- row updates


def _now() -> datetime:
    return datetime.now(UTC)


def _locked(session: Session, job_id: str) -> VideoJob | None:
    """The row, locked for this transaction (FOR UPDATE on PostgreSQL; SQLite's write session serialises)."""
    return session.scalar(select(VideoJob).where(VideoJob.id == job_id).with_for_update())


def _set_output(job: VideoJob, media_job: str, **changes: Any) -> dict[str, Any] | None:
    """Update one outputs[] entry (JSON columns change only by reassignment)."""
    outputs = [dict(o) for o in job.outputs]
    for o in outputs:
        if o["media_job"] == media_job:
            o.update(changes)
            job.outputs = outputs
            return o
    return None


def _set_preview(job: VideoJob, media_job: str, **changes: Any) -> None:
    work = dict(job.work or {})
    work["previews"] = [({**p, **changes} if p["media_job"] == media_job else p) for p in work.get("previews", [])]
    job.work = work


def _emit(settings: Settings, delivery_id: str | None) -> None:
    """Queue a recorded webhook delivery (after its transaction committed); never fails the job."""
    if delivery_id is None:
        return
    try:
        from linkreel.jobs.queue import enqueue_webhook

        enqueue_webhook(settings, delivery_id)
    except Exception:
        log.exception("could not queue webhook delivery %s", delivery_id)


def reason_for(exc: BaseException) -> str:
    """The failed_reason: a user error's own words, or a plain sentence for a bug (logged)."""
    if isinstance(exc, LinkreelError):
        text = str(exc).strip()
        return text[:1].upper() + text[1:] if text else "The video could not be made."
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "The video could not be made: the server ran out of disk space; the credits were refunded."
    return "The video could not be made because of an internal error; the credits were refunded."


# --------------------------------------------------------------------------- progress


def initial_stages() -> list[dict[str, Any]]:
    return [{"name": n, "status": "pending", "progress": 0.0} for n in STAGE_NAMES]


class JobProgress(Progress):
    """Pipeline events → the row's `stages`, `progress` and the output's `progress` (throttled)."""

    def __init__(self, db: Database, job_id: str, media_job: str | None, mirror: bool) -> None:
        self.db, self.job_id, self.media_job, self.mirror = db, job_id, media_job, mirror
        self.stages = {s["name"]: dict(s) for s in initial_stages()}
        self.stages["avatar"].update(status="skipped", progress=1.0)  # until a style with a presenter draws one
        self._flushed = 0.0
        self._started: dict[str, float] = {}

    def stage(self, name: str, status: str) -> None:
        if status == "done":
            self._count_run(name)
        ours = _PIPELINE_STAGES.get(name)
        if ours is None:
            return
        if status == "start":
            self.set(ours, "running", 0.0 if ours != "storyboard" else self.stages[ours]["progress"])
        elif ours != "storyboard" or name == "timeline":
            self.set(ours, "done", 1.0)
        else:  # music / captions done: part of the storyboard
            self.set(ours, "running", min(0.9, self.stages[ours]["progress"] + 0.4))

    def _count_run(self, name: str) -> None:
        """`work["stage_runs"]`: how often each pipeline stage really ran for this job (cache hits
        are not counted), so reuse across passes, previews and workers can be checked."""
        try:
            with self.db.session(write=True) as s:
                job = _locked(s, self.job_id)
                if job is not None:
                    work = dict(job.work or {})
                    runs = dict(work.get("stage_runs") or {})
                    runs[name] = runs.get(name, 0) + 1
                    work["stage_runs"] = runs
                    job.work = work
        except Exception:  # bookkeeping only
            log.warning("stage count for %s failed", self.job_id, exc_info=True)

    def fraction(self, name: str, value: float) -> None:
        if name == "render" and value > self.stages["render"]["progress"]:
            self.stages["render"].update(status="running", progress=round(value, 3))
            self.flush()

    def set(self, stage: str, status: str, progress: float) -> None:
        entry = self.stages[stage]
        if status == "running" and stage not in self._started:
            self._started[stage] = time.monotonic()
        elif status == "done" and entry["status"] != "done":
            # Durations feed /metrics; a stage served from the cache shows its (near zero) real cost.
            entry["seconds"] = round(time.monotonic() - self._started.get(stage, time.monotonic()), 3)
        entry.update(status=status, progress=round(progress, 3))
        self.flush(force=True)

    def fail_running(self) -> None:
        """Mark where the work stopped: the running stage, else (a request the pipeline refused up
        front, e.g. a language the writer lacks) the first one that had not started."""
        running = [s for s in self.stages.values() if s["status"] == "running"]
        pending = [self.stages[n] for n in STAGE_NAMES if self.stages[n]["status"] == "pending"]
        for s in running or pending[:1]:
            s["status"] = "failed"
        self.flush(force=True)

    def overall(self) -> float:
        done = sum(_WEIGHTS[n] * s["progress"] for n, s in self.stages.items() if s["status"] != "skipped")
        total = sum(_WEIGHTS[n] for n, s in self.stages.items() if s["status"] != "skipped")
        return round(min(done / total, 0.99), 3) if total else 0.0  # 1 only when published

    def flush(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._flushed < FLUSH_S:
            return
        self._flushed = now
        stages = [dict(self.stages[n]) for n in STAGE_NAMES]
        overall = self.overall()
        try:
            with self.db.session(write=True) as s:
                job = _locked(s, self.job_id)
                if job is None:
                    return
                job.stages = stages
                if self.media_job:
                    _set_output(job, self.media_job, progress=overall)
                if self.mirror:
                    job.progress = max(job.progress or 0.0, overall)
        except Exception:  # progress is cosmetic: a busy database must not fail the render
            log.warning("progress update for %s failed", self.job_id, exc_info=True)


# --------------------------------------------------------------------------- claims and heartbeat


def claim_is_live(claim: dict[str, Any] | None) -> bool:
    """Is a worker still on it? Fresh heartbeat, and (on this host) its process still exists."""
    if not claim:
        return False
    try:
        at = datetime.fromisoformat(claim["at"])
    except (KeyError, ValueError):
        return False
    if _now() - at > timedelta(seconds=STALE_S):
        return False
    host, _, pid = str(claim.get("worker", "")).rpartition(":")
    if host == HOST and pid.isdigit() and int(pid) != os.getpid():
        return pid_alive(int(pid))
    return True


def _claim(db: Database, job_id: str, action: str) -> VideoJob | None:
    """Take the action on this job, or None (nothing to do, or another live worker has it)."""
    with db.session(write=True) as s:
        job = _locked(s, job_id)
        if job is None or action not in outstanding(job):
            return None
        work = dict(job.work or {})
        claims = dict(work.get("claims") or {})
        claim = claims.get(action)
        if claim_is_live(claim) and claim.get("worker") != REQUEUED:  # type: ignore[union-attr]
            return None
        attempts = dict(work.get("attempts") or {})
        attempts[action] = attempts.get(action, 0) + 1
        # Liveness is per process: another thread of this process holding it is seen as live.
        claims[action] = {"worker": WORKER_ID, "at": _now().isoformat()}
        work.update(claims=claims, attempts=attempts)
        job.work = work
        job.attempts = (job.attempts or 0) + 1
        job.heartbeat_at = _now()
        return job


def _release(s: Session, job: VideoJob, action: str) -> None:
    work = dict(job.work or {})
    work["claims"] = {k: v for k, v in (work.get("claims") or {}).items() if k != action}
    work["attempts"] = {k: v for k, v in (work.get("attempts") or {}).items() if k != action}
    job.work = work


@contextmanager
def _heartbeat(db: Database, job_id: str, action: str) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_S):
            try:
                with db.session(write=True) as s:
                    job = _locked(s, job_id)
                    if job is None:
                        return
                    work = dict(job.work or {})
                    claims = dict(work.get("claims") or {})
                    if action in claims:
                        claims[action] = {**claims[action], "at": _now().isoformat()}
                        work["claims"] = claims
                        job.work = work
                    job.heartbeat_at = _now()
            except Exception:
                log.warning("heartbeat for %s failed", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=2)


# --------------------------------------------------------------------------- entry points


_JOB_LOCKS: dict[str, threading.Lock] = {}
_JOB_LOCKS_GUARD = threading.Lock()


@contextmanager
def _job_lock(job_id: str) -> Iterator[None]:
    """One action of a job at a time in this process: both write the same stage cache."""
    with _JOB_LOCKS_GUARD:
        lock = _JOB_LOCKS.setdefault(job_id, threading.Lock())
    with lock:
        yield


def run_job(settings: Settings, db: Database, job_id: str, action: str) -> None:
    """The queue task: do the job's outstanding work of this kind ("render" or "preview")."""
    runs = {"render": _run_renders, "preview": _run_previews}
    if action not in runs:
        log.error("unknown action %r for job %s", action, job_id)
        return
    with _job_lock(job_id), job_context(job_id):
        started = time.monotonic()
        if runs[action](settings, db, job_id):  # False: done already, or another live worker has it
            log.info("%s pass finished in %.1f s", action, time.monotonic() - started)


def _has_renders(job: VideoJob) -> bool:
    return any(o.get("status") in ACTIVE for o in job.outputs or [])


def _has_previews(job: VideoJob) -> bool:
    return job.status != "failed" and any(p.get("status") not in ("ready", "failed")
                                          for p in (job.work or {}).get("previews", []))


def _too_many_attempts(job: VideoJob, action: str) -> bool:
    return ((job.work or {}).get("attempts") or {}).get(action, 0) > MAX_ATTEMPTS


# --- final renders


def _run_renders(settings: Settings, db: Database, job_id: str) -> bool:
    job = _claim(db, job_id, "render")
    if job is None:
        return False
    with _heartbeat(db, job_id, "render"):
        while job is not None:
            give_up = _too_many_attempts(job, "render")
            for out in [o for o in job.outputs if o.get("status") in ACTIVE]:
                _render_output(settings, db, job, out, give_up)
            job = _finish_renders(settings, db, job_id)
    return True


def _start_output(db: Database, job_id: str, media_job: str, mirror: bool) -> None:
    with db.session(write=True) as s:
        job = _locked(s, job_id)
        if job is None:
            return
        _set_output(job, media_job, status="running", failed_reason=None)
        job.status = "running"
        if mirror:
            job.failed_reason = None
        if not job.stages:
            job.stages = initial_stages()


def _render_output(settings: Settings, db: Database, job: VideoJob, out: dict[str, Any], give_up: bool) -> None:
    media_job = out["media_job"]
    mirror = media_job == job.media_job
    _start_output(db, job.id, media_job, mirror)
    progress = JobProgress(db, job.id, media_job, mirror)
    try:
        if give_up:
            raise LinkreelError(f"The render was stopped {MAX_ATTEMPTS} times before it could finish "
                                "(the worker ran out of memory or was restarted); giving up.")
        plan = _plan(settings, db, job, out["visual_style"], out["aspect_ratio"], progress)
        rendered = render_plan(plan, out["aspect_ratio"], settings, progress)
        progress.set("render", "done", 1.0)
        progress.set("encode", "running", 0.0)
        duration = round(probe(Path(rendered.output), None).duration_s, 2)
        _publish(settings, media_job, {"thumb.jpg": rendered.thumbnail, "output.mp4": rendered.output})
        progress.set("encode", "done", 1.0)
        report = rendered.quality_report.model_dump(mode="json") if rendered.quality_report else None
        fields = {"status": "done", "progress": 1.0, "duration": duration, "failed_reason": None,
                  "video_output": media_url(settings, media_job, "output.mp4"),
                  "video_thumbnail": media_url(settings, media_job, "thumb.jpg"), "quality_report": report}
    except Exception as exc:
        if not isinstance(exc, LinkreelError):
            log.exception("job %s: render %s failed", job.id, media_job)
        progress.fail_running()
        fields = {"status": "failed", "failed_reason": reason_for(exc), "quality_report": None}
    with db.session(write=True) as s:
        row = _locked(s, job.id)
        if row is None:
            return
        _set_output(row, media_job, **fields)
        if fields["status"] == "failed":
            credits.refund(s, row.workspace_id, f"render:{media_job}", row.id, note=fields["failed_reason"][:255])
            row.credits_used = credits.job_credits(s, row.id)


def _finish_renders(settings: Settings, db: Database, job_id: str) -> VideoJob | None:
    """Settle the top-level fields from the mirrored output; send the webhook. Returns the job if
    more renders were queued meanwhile (the loop goes on), else None."""
    delivery = None
    with db.session(write=True) as s:
        job = _locked(s, job_id)
        if job is None:
            return None
        if _has_renders(job):
            return job
        mirrored = next((o for o in job.outputs if o["media_job"] == job.media_job), None)
        if mirrored is not None:
            job.status = mirrored["status"]
            job.failed_reason = mirrored.get("failed_reason")
            job.video_output = mirrored.get("video_output")
            job.video_thumbnail = mirrored.get("video_thumbnail")
            job.duration = mirrored.get("duration")
            job.progress = 1.0 if job.status == "done" else job.progress
        _release(s, job, "render")
        delivery = add_delivery(s, job, render_payload(job))
        finished = not outstanding(job)
    _emit(settings, delivery)
    if finished:  # results are in storage; the stage cache only served this job's passes
        shutil.rmtree(work_dir(settings, job_id), ignore_errors=True)
        if (mirror := stage_mirror(settings, job_id)) is not None:
            try:
                mirror.delete()
            except StorageError as exc:  # left behind, harmless: nothing serves or reads it any more
                log.warning("job %s: stage copies not deleted from storage: %s", job_id, exc)
    return None


# --- previews


def _run_previews(settings: Settings, db: Database, job_id: str) -> bool:
    job = _claim(db, job_id, "preview")
    if job is None:
        return False
    with _heartbeat(db, job_id, "preview"):
        try:
            if _too_many_attempts(job, "preview"):
                raise LinkreelError(f"The previews were interrupted {MAX_ATTEMPTS} times; giving up.")
            for entry in job.work.get("previews", []):
                if entry.get("status") != "ready":
                    progress = JobProgress(db, job_id, None, False)
                    plan = build_storyboard(settings, db, job, entry, progress)
                    _render_preview(settings, db, job, entry, plan, progress)
        except Exception as exc:
            if not isinstance(exc, LinkreelError):
                log.exception("job %s: previews failed", job_id)
            fail_previews(settings, db, job_id, reason_for(exc))
            return True
        _publish_previews(settings, db, job_id)
    return True


def build_storyboard(settings: Settings, db: Database, job: VideoJob, entry: dict[str, Any],
                     progress: Progress | None = None) -> AdPlan:
    """Script, voice and timeline of one preview; its player page can show the scenes from now on.
    (The API calls this while answering /preview/: the row's stages show that work too.)"""
    progress = progress or JobProgress(db, job.id, None, False)
    plan = _plan(settings, db, job, entry["visual_style"], entry["aspect_ratio"], progress)
    media_job = entry["media_job"]
    # The editor's clip picker shows these stills; `clips` in the page data lists them.
    _publish(settings, media_job, {f"clip-{k}.jpg": still for k, still in enumerate(plan.broll.stills)})
    _write_page_data(settings, job, entry, plan, video=None)
    with db.session(write=True) as s:
        row = _locked(s, job.id)
        if row is not None:
            _set_preview(row, media_job, status="storyboard", duration=plan.timeline.duration_ms / 1000)
            if row.kind == "preview":  # the single preview is public as soon as its storyboard exists
                row.preview = preview_page_url(settings, media_job)
                row.media_job = media_job
    return plan


def _render_preview(settings: Settings, db: Database, job: VideoJob, entry: dict[str, Any], plan: AdPlan,
                    progress: JobProgress) -> None:
    aspect = entry["aspect_ratio"]
    rendered = render_plan(plan, aspect, settings, progress, size=preview_size(aspect))
    _publish(settings, entry["media_job"], {"preview.jpg": rendered.thumbnail, "preview.mp4": rendered.output})
    _write_page_data(settings, job, entry, plan, video=media_url(settings, entry["media_job"], "preview.mp4"))
    with db.session(write=True) as s:
        row = _locked(s, job.id)
        if row is not None:
            _set_preview(row, entry["media_job"], status="ready")


def _publish_previews(settings: Settings, db: Database, job_id: str) -> None:
    """All previews are ready: list them on the job (together, contract §3.4) and send the webhook."""
    with db.session(write=True) as s:
        job = _locked(s, job_id)
        if job is None:
            return
        entries = (job.work or {}).get("previews", [])
        if job.kind == "preview_list":
            job.previews = [{
                "media_job": p["media_job"], "visual_style": p["visual_style"], "aspect_ratio": p["aspect_ratio"],
                "url": preview_page_url(settings, p["media_job"]),
                "editor_url": editor_url(settings, job.id, p["media_job"]),
                "duration": p.get("duration"),
            } for p in entries]
        _release(s, job, "preview")
        payload = previews_payload(job) if job.kind == "preview_list" else render_payload(job)
        delivery = add_delivery(s, job, payload)
    _emit(settings, delivery)


def fail_previews(settings: Settings, db: Database, job_id: str, reason: str) -> None:
    """A preview could not be built: the job fails, the preview charge is refunded, the webhook says so."""
    with db.session(write=True) as s:
        job = _locked(s, job_id)
        if job is None:
            return
        job.status = "failed"
        job.failed_reason = reason
        work = dict(job.work or {})
        work["previews"] = [p if p.get("status") == "ready" else {**p, "status": "failed"}
                            for p in work.get("previews", [])]
        job.work = work
        _release(s, job, "preview")
        credits.refund(s, job.workspace_id, "preview", job.id, note=reason[:255])
        job.credits_used = credits.job_credits(s, job.id)
        payload = previews_payload(job) if job.kind == "preview_list" else render_payload(job)
        delivery = add_delivery(s, job, payload)
    _emit(settings, delivery)


# --- shared


def custom_avatar(settings: Settings, db: Database, workspace_id: str, req: AdRequest, dest: Path) -> AdRequest:
    """`override_avatar` naming one of the workspace's custom personas → its stored photo, animated as
    `override_avatar_by_image` is (PhotoAvatar). The photo is copied once into the job's work dir, so a
    retry finds the same file and the avatar stage's cache (keyed by path, size, mtime) holds; the copy's
    mtime is the persona's, so every version of an ad keys it alike (the editor's next version keeps the
    animated presenter instead of animating it again)."""
    if not req.avatar or req.avatar == "none" or get_persona(req.avatar) is not None:
        return req
    with db.session() as s:
        row = get_custom(s, workspace_id, req.avatar)
        problem = ready_problem(s, workspace_id, req.avatar) if row is not None else None
        if row is not None:
            s.expunge(row)
    if row is None:
        raise InputError("the custom avatar of this video was deleted; choose another avatar")
    if problem:
        raise InputError(problem)
    path = dest / f"{row.id}.jpg"
    if not path.is_file():
        dest.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(photo_bytes(settings, row))
        stamp = round(as_utc(row.updated_at).timestamp() * 1e9)  # the persona's: its photo never changes
        os.utime(tmp, ns=(stamp, stamp))
        tmp.replace(path)
    return replace(req, avatar=None, avatar_image=str(path))


def editor_request(req: AdRequest, work: dict[str, Any]) -> AdRequest:
    """The web editor's choices the API has no field for (web/actions.py repreview): its scenes, taken as
    they are, and "no presenter"."""
    if work.get("scenes"):
        req = replace(req, scenes=[Scene.model_validate(scene) for scene in work["scenes"]])
    if work.get("no_presenter"):
        req = replace(req, avatar="none", avatar_image=None)
    return req


def _plan(settings: Settings, db: Database, job: VideoJob, visual_style: str, aspect: str,
          progress: Progress | None) -> AdPlan:
    work = work_dir(settings, job.id)
    brief = Brief.model_validate((job.work or {})["brief"])
    brief = localize_images(brief, open_storage(settings), job.link_id, work / "link-images",
                            settings.storage_patience_s)
    req = editor_request(ad_request(job.params, visual_style, aspect), job.work or {})
    req = custom_avatar(settings, db, job.workspace_id, req, work / "avatar")
    if track := track_for_url(settings, req.music):  # our own catalog's URL: the track, not a download of it
        req.music = track.id
    return plan_ad(req, work, settings, progress, brief=brief, mirror=stage_mirror(settings, job.id),
                   seeds=stage_seeds(settings, job))


def stage_mirror(settings: Settings, job_id: str) -> StorageMirror | None:
    """Where a job's finished stages are copied for other workers (None: this machine's work dir only)."""
    wanted = settings.stage_mirror
    if wanted == "off" or (wanted == "auto" and not settings.storage_url.strip().startswith("s3://")):
        return None
    return StorageMirror(open_storage(settings), f"{STAGES_PREFIX}/{job_id}", settings.storage_patience_s)


def stage_seeds(settings: Settings, job: VideoJob) -> tuple[StageSource, ...]:
    """Where an editor version takes what its edit did not change (the voice, the b-roll…) from: the version
    it was made from, by its work dir on this machine, else by its mirror (both go once that job's renders
    are done; then the stages run again)."""
    parent = (job.work or {}).get("parent")
    if not parent:
        return ()
    mirror = stage_mirror(settings, parent)
    return (WorkDirSeed(work_dir(settings, parent)), *([mirror] if mirror is not None else []))


def _publish(settings: Settings, media_job: str, files: dict[str, Path | str]) -> None:
    """Upload results to storage, the main file last: once a job says done, every file is there."""
    storage = open_storage(settings)
    for name, path in files.items():
        key = f"{media_job}/{name}"
        patiently(partial(storage.put_file, key, Path(path)), settings.storage_patience_s, f"upload of {key}")


def _write_page_data(settings: Settings, job: VideoJob, entry: dict[str, Any], plan: AdPlan,
                     video: str | None) -> None:
    """What the public player page shows: `<media>/<media_job>/preview.json` (no database needed)."""
    import json

    spans = plan.narration.scenes
    scenes = []
    for i, scene in enumerate(plan.script.scenes):
        start = (LEAD_IN_MS + spans[i].start_ms) / 1000 if i < len(spans) and spans[i].first_word >= 0 else None
        scenes.append({"role": scene.role.value, "text": scene.spoken, "on_screen": scene.on_screen,
                       "image": scene.image, "clip": scene.clip, "start": start})
    data = {
        "job": job.id, "media_job": entry["media_job"], "visual_style": entry["visual_style"],
        "aspect_ratio": entry["aspect_ratio"], "language": plan.script.language, "title": plan.brief.title,
        "duration": plan.timeline.duration_ms / 1000, "scenes": scenes, "video": video,
        "clips": [media_url(settings, entry["media_job"], f"clip-{k}.jpg") for k in range(len(plan.broll.stills))],
        "poster": media_url(settings, entry["media_job"], "preview.jpg") if video else None,
    }
    storage, key = open_storage(settings), f"{entry['media_job']}/preview.json"
    body = json.dumps(data, ensure_ascii=False, indent=1).encode()
    patiently(lambda: storage.put_bytes(key, body), settings.storage_patience_s, f"upload of {key}")


# --------------------------------------------------------------------------- recovery


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def sweep_work_dirs(settings: Settings, db: Database) -> list[Path]:
    """Remove the work dirs of jobs whose renders are over (or that no longer exist): a worker killed while
    it deleted one (after the job was settled) leaves part of it behind. Returns what was removed."""
    root = settings.work_path
    # Jobs' dirs only (named by their uuid): `linkreel make` keeps its own caches beside them.
    dirs = [d for d in root.iterdir() if d.is_dir() and _UUID.fullmatch(d.name)] if root.is_dir() else []
    if not dirs:
        return []
    with db.session() as s:
        jobs = {j.id: j for j in s.scalars(select(VideoJob).where(VideoJob.id.in_([d.name for d in dirs])))}
    over = [d for d in dirs if d.name not in jobs or _renders_over(jobs[d.name])]
    for d in over:
        shutil.rmtree(d, ignore_errors=True)
    if over:
        log.info("removed %d work dirs of finished jobs", len(over))
    return over


def _renders_over(job: VideoJob) -> bool:
    """The state in which the runner removes a job's work dir itself (_finish_renders)."""
    return bool(job.outputs) and not outstanding(job)


def outstanding(job: VideoJob) -> list[str]:
    """The queue actions this job still needs: work left to do, or a pass that did its work but was
    stopped before it settled the job (its claim is released in the transaction that settles it)."""
    claims = (job.work or {}).get("claims") or {}
    interrupted = {a for a in claims if job.status != "failed"}
    return [a for a, needed in (("preview", _has_previews(job)), ("render", _has_renders(job)))
            if needed or a in interrupted]


def _mark_requeued(db: Database, job_id: str, action: str, seen: dict[str, Any] | None) -> bool:
    """Replace the dead claim we saw by a REQUEUED mark; False if someone claimed the work meanwhile."""
    with db.session(write=True) as s:
        job = _locked(s, job_id)
        if job is None:
            return False
        work = dict(job.work or {})
        claims = dict(work.get("claims") or {})
        if claims.get(action) != seen:
            return False
        claims[action] = {"worker": REQUEUED, "at": _now().isoformat()}
        work["claims"] = claims
        job.work = work
        return True


LOST_AFTER_S = 30.0  # unclaimed work this old, with nothing in the queue, lost its task


def _queue_is_empty(settings: Settings, depths: Callable[[Settings], dict[str, int]]) -> bool:
    try:
        return depths(settings).get("linkreel", 1) == 0
    except Exception:  # the queue is down: nothing can be queued now anyway
        return False


def _waited(job: VideoJob) -> bool:
    return job.updated_at is None or _now() - as_utc(job.updated_at) > timedelta(seconds=LOST_AFTER_S)


def recover(settings: Settings, db: Database | None = None, only_stale: bool = False) -> list[tuple[str, str]]:
    """Re-queue work left behind by a dead worker (call at serve/worker start). Returns (id, action)s:
    job actions, and the light queue's overdue webhook deliveries and unfinished persona checks.

    Work whose claimer is alive is left alone; unclaimed work is queued again (a duplicate of a task
    still waiting in the queue is harmless: whichever runs second finds nothing to do).
    `only_stale` (the periodic sweep) re-queues claimed work whose claimer died, and unclaimed work
    only when the queue is empty (a queue server restarted without persistence lost its tasks), so
    tasks that simply wait their turn are not duplicated every sweep.
    """
    from linkreel.jobs.queue import enqueue, queue_depths

    own = db is None
    db = db or Database(settings)
    requeued: list[tuple[str, str]] = []
    try:
        lost_tasks = only_stale and _queue_is_empty(settings, queue_depths)
        with db.session() as s:
            jobs = s.scalars(select(VideoJob).where(VideoJob.status.in_(("pending", "in_queue", "running")))).all()
        for job in jobs:
            claims = (job.work or {}).get("claims") or {}
            for action in outstanding(job):
                claim = claims.get(action)
                waiting = claim is None and (not only_stale or (lost_tasks and _waited(job)))
                if (claim or waiting) and not claim_is_live(claim) and _mark_requeued(db, job.id, action, claim):
                    enqueue(settings, job.id, action)
                    requeued.append((job.id, action))
        # The light queue's work: webhook deliveries and custom persona checks lost with a dead worker.
        requeued += [(delivery, "webhook") for delivery in webhooks.requeue_lost(settings, db)]
        requeued += [(persona, "persona") for persona in custom.requeue_lost(settings, db)]
        sweep_work_dirs(settings, db)
    finally:
        if own:
            db.dispose()
    if requeued:
        log.info("re-queued %d pieces of unfinished work", len(requeued))
    return requeued
