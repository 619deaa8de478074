"""Conversions between domain datetimes and the ISO strings the store keeps."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def from_db(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
