"""Alembic migrations, packaged so `linkreel.jobs.db.migrate()` works from an installed wheel."""
