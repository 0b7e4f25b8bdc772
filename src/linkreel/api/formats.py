"""Wire formats shared by the API's serializers.

    iso_z(datetime) -> "2025-05-21T09:14:03.512Z"   (contract §1: ISO 8601 UTC, milliseconds)

SQLite hands back naive datetimes for `DateTime(timezone=True)` columns; they are UTC (every
row is written with `models.utcnow()`), so naive values are read as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime


def iso_z(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
