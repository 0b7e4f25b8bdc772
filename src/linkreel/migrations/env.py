"""Alembic environment, driven programmatically by `linkreel.jobs.db.migrate` (no alembic.ini).

The caller passes an open connection in `config.attributes["connection"]`, or a Settings / URL in
`config.attributes["target"]`; `LINKREEL_DATABASE_URL` is the fallback, so the plain `alembic`
command also works: `alembic -x ... ` is not needed.
"""

from alembic import context
from sqlalchemy.engine import Connection

from linkreel.config import Settings
from linkreel.jobs.db import make_engine
from linkreel.jobs.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes.get("target") or Settings())
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    target = config.attributes.get("target") or Settings()
    url = target.db_url if isinstance(target, Settings) else str(target)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
