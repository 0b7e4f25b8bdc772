"""The work queue: huey, carrying only ids. The database row is the truth; a task re-reads it.

Two queues, so a slow webhook receiver never waits behind (or delays) a render:

* `linkreel` (render): `run_job(job_id, action)`, the pipeline work of a video job;
* `linkreel-light`: `deliver_webhook(delivery_id)`, one POST; a failed one re-schedules itself with
  backoff (about 30 s, 2 min, 10 min, 30 min, 2 h, then dropped; the count lives in the DB row);
  `process_persona(persona_id)`, a custom persona's face check and preview stills (about a second: it
  must not wait behind renders).

Storage is `SqliteHuey` in `<data_dir>/queue.db` by default, `RedisHuey` when `LINKREEL_QUEUE_URL`
is a `redis://` URL (imported lazily: redis is only needed then).

    enqueue(settings, job_id, "render")            # what the API calls
    consumers = start_consumers(settings, 2)       # threads inside this process (`linkreel serve`)
    consumers.stop()
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from huey import Huey, SqliteHuey
from huey.api import TaskWrapper
from huey.consumer import Consumer

from linkreel.config import Settings
from linkreel.jobs.db import Database

log = logging.getLogger("linkreel.queue")

RENDER_QUEUE = "linkreel"
LIGHT_QUEUE = "linkreel-light"
POLL_MAX_DELAY_S = 1.0  # an idle consumer polls SQLite at least this often (huey's default is 10 s)


def _make_huey(settings: Settings, name: str) -> Huey:
    url = settings.queue_url.strip()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from huey import RedisHuey  # needs the `redis` package, only for this setup

        return RedisHuey(name, url=url, results=False)
    if url and not url.startswith("sqlite"):
        raise ValueError(f"unsupported LINKREEL_QUEUE_URL {url!r}: use redis://… or leave it empty (SQLite)")
    path = settings.data_dir / "queue.db"
    if url.startswith("sqlite:///"):
        path = type(path)(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), results=False, timeout=30)


@dataclass
class Queues:
    """The two huey instances of one configuration, their tasks, and the database the tasks use."""

    settings: Settings
    render: Huey
    light: Huey
    run_job: TaskWrapper = field(init=False)
    deliver_webhook: TaskWrapper = field(init=False)
    process_persona: TaskWrapper = field(init=False)
    _db: Database | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    @property
    def db(self) -> Database:
        with self._lock:
            if self._db is None:
                self._db = Database(self.settings)
            return self._db

    def use_database(self, db: Database) -> None:
        """Share the API's engine (one pool per process) instead of opening another."""
        with self._lock:
            self._db = db


def _register_tasks(q: Queues) -> None:
    # Imported here: the runner imports the pipeline (heavy), which the API process only needs
    # when it runs a consumer.
    @q.render.task(name="run_job")
    def run_job(job_id: str, action: str) -> None:
        from linkreel.jobs.runner import run_job as run

        run(q.settings, q.db, job_id, action)

    @q.light.task(name="deliver_webhook")
    def deliver_webhook(delivery_id: str) -> None:
        from linkreel.jobs.webhooks import deliver

        delay = deliver(q.settings, q.db, delivery_id)  # None: delivered, or given up
        if delay is not None:
            deliver_webhook.schedule(args=(delivery_id,), delay=delay)

    @q.light.task(name="process_persona")
    def process_persona(persona_id: str) -> None:
        from linkreel.avatars.custom import process_persona as process

        process(q.settings, q.db, persona_id)

    q.run_job = run_job
    q.deliver_webhook = deliver_webhook
    q.process_persona = process_persona


_QUEUES: dict[tuple[str, str, str], Queues] = {}
_QUEUES_LOCK = threading.Lock()


def get_queues(settings: Settings) -> Queues:
    """The queues for this configuration (one set per process and settings)."""
    key = (settings.queue_url, str(settings.data_dir), settings.db_url)
    with _QUEUES_LOCK:
        queues = _QUEUES.get(key)
        if queues is None:
            queues = Queues(settings, _make_huey(settings, RENDER_QUEUE), _make_huey(settings, LIGHT_QUEUE))
            _register_tasks(queues)
            _QUEUES[key] = queues
        return queues


def get_huey(settings: Settings) -> Huey:
    """The render queue's huey instance (run_job)."""
    return get_queues(settings).render


def enqueue(settings: Settings, job_id: str, action: str) -> None:
    """Queue pipeline work for a job: `action` is "render" or "preview" (see runner.run_job)."""
    get_queues(settings).run_job(job_id, action)


def enqueue_webhook(settings: Settings, delivery_id: str) -> None:
    get_queues(settings).deliver_webhook(delivery_id)


def enqueue_persona(settings: Settings, persona_id: str) -> None:
    """Queue the check of a new custom persona's photo (avatars/custom.py)."""
    get_queues(settings).process_persona(persona_id)


def queue_depths(settings: Settings) -> dict[str, int]:
    """Tasks waiting in each queue (scheduled retries not counted); raises if the queue is unreachable."""
    q = get_queues(settings)
    return {RENDER_QUEUE: q.render.pending_count(), LIGHT_QUEUE: q.light.pending_count()}


# --------------------------------------------------------------------------- consumers


class _EmbeddedConsumer(Consumer):
    """A huey consumer that lives beside another server: the host process owns the signals."""

    def _set_signal_handlers(self) -> None:
        pass


@dataclass
class Consumers:
    consumers: list[Consumer]

    def stop(self, graceful: bool = False) -> None:
        for consumer in self.consumers:
            consumer.stop(graceful=graceful)


def _consumer(huey: Huey, workers: int, embedded: bool) -> Consumer:
    options: dict[str, Any] = {"workers": workers, "worker_type": "thread", "periodic": False,
                               "max_delay": POLL_MAX_DELAY_S, "check_worker_health": True}
    return _EmbeddedConsumer(huey, **options) if embedded else huey.create_consumer(**options)


def start_consumers(settings: Settings, workers: int, db: Database | None = None) -> Consumers:
    """Start `workers` render threads and one webhook thread in this process (not blocking)."""
    q = get_queues(settings)
    if db is not None:
        q.use_database(db)
    started = [_consumer(q.render, workers, True), _consumer(q.light, 1, True)]
    for consumer in started:
        consumer.start()
    return Consumers(started)


def run_worker(settings: Settings, concurrency: int) -> None:
    """`linkreel worker`: render threads in the foreground (huey handles SIGINT/SIGTERM), webhooks beside."""
    q = get_queues(settings)
    light = _consumer(q.light, 1, True)
    light.start()
    try:
        _consumer(q.render, concurrency, False).run()
    finally:
        light.stop()
