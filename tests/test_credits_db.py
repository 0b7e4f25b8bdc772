"""The credits ledger and the database layer: migrations on SQLite (and PostgreSQL when given)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from linkreel.api.auth import create_workspace
from linkreel.api.errors import ApiError
from linkreel.jobs import credits
from linkreel.jobs.db import Database, alembic_config, downgrade, make_engine, migrate
from linkreel.jobs.models import Base, CreditEntry

TABLES = {"workspaces", "credit_entries", "links", "video_jobs", "idempotency_records", "webhook_deliveries"}


@pytest.fixture
def db(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    migrate(url)
    database = Database(url)
    yield database
    database.dispose()


def _workspace(db: Database, amount: float) -> str:
    with db.session() as s:
        workspace, *_ = create_workspace(s, "w", amount)
        return workspace.id


# --------------------------------------------------------------------------- prices


@pytest.mark.parametrize(("length", "units"), [(15, 1), (30, 1), (45, 2), (60, 2)])
def test_costs_per_30_seconds(length: int, units: int) -> None:
    assert credits.cost_create(length) == 5 * units
    assert credits.cost_render(length) == 4 * units
    assert credits.cost_preview(length) == units
    assert credits.cost_link() == 1


def test_aurora_costs_per_second() -> None:
    assert credits.cost_create(30, "aurora_v1") == 30 and credits.cost_render(45, "aurora_v1") == 45
    assert credits.cost_create(15, "aurora_v1_fast") == 7.5 and credits.cost_render(60, "aurora_v1_fast") == 30
    with pytest.raises(ValueError):
        credits.cost_create(30, "turbo")


def test_amounts_format_like_the_contract() -> None:
    assert [credits.format_amount(x) for x in (5, 0.5, 412.5, 0, 7.25, 1e6)] == ["5", "0.5", "412.5", "0", "7.25",
                                                                               "1000000"]


# --------------------------------------------------------------------------- ledger


def test_charge_and_balance(db: Database) -> None:
    ws = _workspace(db, 10)
    with db.session(write=True) as s:
        credits.charge(s, ws, 4, "render:a", "job-1")
        assert credits.balance(s, ws) == 6
        assert credits.job_credits(s, "job-1") == 4


def test_charge_is_once_per_job_and_kind(db: Database) -> None:
    ws = _workspace(db, 10)
    for _ in range(3):  # a retried or re-queued step
        with db.session(write=True) as s:
            credits.charge(s, ws, 5, "create", "job-1")
    with db.session(write=True) as s:
        credits.charge(s, ws, 1, "preview", "job-1")  # another kind is another charge
        assert credits.balance(s, ws) == 4
        assert s.scalar(sa.select(sa.func.count()).select_from(CreditEntry).where(CreditEntry.job_id == "job-1")) == 2


def test_unique_constraint_backs_the_rule(db: Database) -> None:
    ws = _workspace(db, 10)
    with pytest.raises(sa.exc.IntegrityError), db.session() as s:
        s.add_all([CreditEntry(workspace_id=ws, amount=-1, kind="create", job_id="j"),
                   CreditEntry(workspace_id=ws, amount=-1, kind="create", job_id="j")])


def test_insufficient_credits(db: Database) -> None:
    ws = _workspace(db, 4.5)
    with pytest.raises(ApiError) as info, db.session(write=True) as s:
        credits.charge(s, ws, 5, "create", "job-1")
    assert (info.value.status_code, info.value.body) == (400, ["Insufficient credits: 5 required, 4.5 remaining."])
    with db.session() as s:
        assert credits.balance(s, ws) == 4.5 and credits.job_credits(s, "job-1") == 0


def test_refund_once(db: Database) -> None:
    ws = _workspace(db, 10)
    with db.session(write=True) as s:
        credits.charge(s, ws, 4, "render:m1", "job-1")
    for _ in range(2):
        with db.session(write=True) as s:
            credits.refund(s, ws, "render:m1", "job-1", note="render failed")
    with db.session() as s:
        assert credits.balance(s, ws) == 10 and credits.job_credits(s, "job-1") == 0
        assert credits.refund(s, ws, "never-charged", "job-1") is None


def test_concurrent_charges_cannot_overspend(db: Database) -> None:
    """Ten threads race for 5 credits at 1 each: exactly five win (write sessions serialise)."""
    ws = _workspace(db, 5)
    outcomes: list[str] = []

    def spend(i: int) -> None:
        try:
            with db.session(write=True) as s:
                credits.charge(s, ws, 1, "link", f"job-{i}")
            outcomes.append("ok")
        except ApiError:
            outcomes.append("refused")

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] * 5 + ["refused"] * 5
    with db.session() as s:
        assert credits.balance(s, ws) == 0


# --------------------------------------------------------------------------- migrations


def _check_schema(url: str) -> None:
    migrate(url)
    migrate(url)  # idempotent: a second start-up is a no-op
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) >= TABLES
            head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
            assert diff == [], diff  # the migrations create exactly what models.py declares
    finally:
        engine.dispose()
    downgrade(url, "base")  # and the downgrade works
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert not TABLES & set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_migrations_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "fresh.db"
    _check_schema(f"sqlite:///{path}")
    assert path.is_file()


def test_sqlite_pragmas(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), db.session() as s:
        s.add(CreditEntry(workspace_id="no-such-workspace", amount=1, kind="grant"))


def test_migrations_on_postgresql() -> None:
    url = os.environ.get("LINKREEL_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("set LINKREEL_TEST_DATABASE_URL=postgresql+psycopg://user@host/db (an empty, disposable "
                    "database; needs the psycopg driver) to run the migrations on PostgreSQL")
    try:
        sa.engine.make_url(url).get_dialect().import_dbapi()
    except ImportError as exc:
        pytest.skip(f"LINKREEL_TEST_DATABASE_URL is set but its driver is not installed: {exc}")
    _check_schema(url)
    migrate(url)
    database = Database(url)
    try:
        ws = _workspace(database, 3)
        with database.session(write=True) as s:
            credits.charge(s, ws, 2, "create", "job-1")
            credits.charge(s, ws, 2, "create", "job-1")
        with database.session() as s:
            assert credits.balance(s, ws) == 1
    finally:
        database.dispose()
        downgrade(url, "base")
