"""Database access: one engine per process, short sessions, Alembic migrations.

Usage:

    from linkreel.jobs.db import Database, migrate

    migrate(settings)                      # alembic upgrade head (idempotent; call at start-up)
    downgrade(settings, "base")            # alembic downgrade (tests, rollbacks)
    db = Database(settings)                # or Database("sqlite:///path.db")
    with db.session() as s:                # commits on success, rolls back on an exception
        s.add(row)
    with db.session(write=True) as s:      # read-then-write that must not race (credits, status moves)
        ...

`session(write=True)` starts SQLite transactions with BEGIN IMMEDIATE, so two writers serialise
instead of one failing with "database is locked" when it upgrades its read snapshot; on
PostgreSQL it is an ordinary transaction (use SELECT ... FOR UPDATE where rows must be locked,
as `credits.charge` does). Objects stay usable after the session closes (expire_on_commit=False).

SQLite connections get WAL (readers never block the writer), busy_timeout (wait instead of
failing while another process writes) and foreign_keys=ON.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from linkreel.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
# Room for every thread that may hold a connection at once (FastAPI's 40 sync-endpoint threads, render and
# webhook threads): SQLAlchemy's default 5 + 10 made requests under load queue for a connection. Only 10
# are kept open when idle, so several processes stay well under PostgreSQL's max_connections (100).
POOL: dict[str, Any] = {"pool_size": 10, "max_overflow": 40}
_IMMEDIATE = "linkreel_immediate"  # execution option read by the SQLite "begin" hook


def _url_of(target: Settings | str) -> str:
    return target.db_url if isinstance(target, Settings) else target


def make_engine(target: Settings | str, **kwargs: Any) -> Engine:
    """An engine for `settings.db_url` (or a URL); SQLite files get their folder and pragmas."""
    url = make_url(_url_of(target))
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **{**POOL, **kwargs})

    memory = url.database in (None, "", ":memory:")
    if not memory:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        # FastAPI runs sync endpoints in a thread pool; a connection may move between threads.
        connect_args={"check_same_thread": False},
        # One shared connection, or an in-memory database would be empty for every new connection.
        **({"poolclass": StaticPool} if memory else POOL),
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks transactional DDL; we issue
        # BEGIN ourselves (below), the SQLAlchemy-documented recipe.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; fsync only at checkpoints
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_IMMEDIATE) else "BEGIN")

    return engine


def session_factory(target: Settings | str | Engine) -> sessionmaker[Session]:
    """A sessionmaker over a new engine (or the given one)."""
    engine = target if isinstance(target, Engine) else make_engine(target)
    return sessionmaker(engine, expire_on_commit=False)


class Database:
    """The engine plus two session factories (plain and write-locking). Share one per process."""

    def __init__(self, target: Settings | str | Engine) -> None:
        self.engine: Engine = target if isinstance(target, Engine) else make_engine(target)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(**{_IMMEDIATE: True}), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back on an exception."""
        factory = self._write_sessions if write else self._sessions
        with factory() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(target: Settings | str | Engine) -> Any:
    """An Alembic Config pointing at the packaged migrations (works from an installed wheel)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # The URL goes through `attributes`, not the ini option: ConfigParser would choke on '%'.
    cfg.attributes["target"] = target
    return cfg


def _run_alembic(target: Settings | str | Engine, action: str, revision: str) -> None:
    from alembic import command

    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        with engine.connect() as conn:
            cfg = alembic_config(target)
            cfg.attributes["connection"] = conn
            getattr(command, action)(cfg, revision)
            conn.commit()
    finally:
        if engine is not target:
            engine.dispose()


def migrate(target: Settings | str | Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (alembic upgrade). Safe to call on every start-up."""
    _run_alembic(target, "upgrade", revision)


def downgrade(target: Settings | str | Engine, revision: str) -> None:
    """Take the schema down to `revision` ("base": drop everything). For tests and rollbacks."""
    _run_alembic(target, "downgrade", revision)
