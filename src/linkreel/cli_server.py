"""`linkreel serve` and `linkreel worker`: the API server (with embedded render workers) and a worker alone.

    linkreel serve --host 127.0.0.1 --port 8000 --workers 1   # API + 1 render thread: one command does it all
    linkreel serve --workers 0                                # API only; run workers elsewhere
    linkreel worker --concurrency 2                           # a consumer alone (same DB and queue settings)

Both migrate the database and re-queue work left behind by a dead process (`runner.recover`) before
they start, and sweep every LINKREEL_SWEEP_S for work whose worker died while they run. Also runnable as
`python -m linkreel.cli_server serve …`.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer

from linkreel.config import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Run the linkreel API server and its render workers.")

def _logging(settings: Settings) -> None:
    from linkreel.logs import setup_logging

    setup_logging(settings.log_format, settings.log_level)


def _sweep_cache(settings: Settings) -> None:
    """Temp files that processes killed mid-write left in the shared cache (music beds, samples)."""
    from linkreel.files import sweep_orphans

    swept = sweep_orphans(settings.cache_path)
    if swept:
        logging.getLogger("linkreel.runner").info("removed %d temp files of dead processes", len(swept))


def _start_sweeper(settings: Settings, stop: threading.Event) -> None:
    from linkreel.jobs.runner import recover

    def sweep() -> None:
        while not stop.wait(settings.sweep_s):
            try:
                recover(settings, only_stale=True)
            except Exception:
                logging.getLogger("linkreel.runner").exception("recovery sweep failed")

    threading.Thread(target=sweep, name="recover-sweep", daemon=True).start()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Render worker threads in this process (0: API only)")] = 1,
) -> None:
    """Serve the REST API, the preview pages and /media; render in the same process unless --workers 0."""
    import uvicorn

    from linkreel.api.app import create_app
    from linkreel.jobs.db import migrate
    from linkreel.jobs.queue import start_consumers
    from linkreel.jobs.runner import recover

    settings = Settings()
    _logging(settings)
    migrate(settings)
    api = create_app(settings, migrate_db=False)
    _sweep_cache(settings)
    recover(settings, api.state.db)
    consumers = start_consumers(settings, workers, api.state.db) if workers > 0 else None
    stop = threading.Event()
    _start_sweeper(settings, stop)
    try:
        # log_config=None: our log format. Keep-alive past typical client pauses, so a pooled connection
        # is not closed by us just as the client reuses it (a reset the client sees as an error).
        uvicorn.run(api, host=host, port=port, log_config=None, timeout_graceful_shutdown=5, timeout_keep_alive=75)
    finally:
        stop.set()
        if consumers is not None:
            consumers.stop()


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Render worker threads")] = 1,
) -> None:
    """Run a queue consumer alone (renders and webhooks), for more render machines or processes."""
    from linkreel.jobs.db import migrate
    from linkreel.jobs.queue import run_worker
    from linkreel.jobs.runner import recover

    settings = Settings()
    _logging(settings)
    migrate(settings)
    _sweep_cache(settings)
    recover(settings)
    stop = threading.Event()
    _start_sweeper(settings, stop)  # any worker can pick up the work of one that died
    try:
        run_worker(settings, max(1, concurrency))
    finally:
        stop.set()


if __name__ == "__main__":
    app()
