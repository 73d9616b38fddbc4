"""Schema migrations: ordered SQL files in deploy/migrations, applied with yoyo."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from yoyo import get_backend, read_migrations

MIGRATIONS_DIR = Path(
    os.environ.get(
        "LOYALTY_MIGRATIONS_DIR", Path(__file__).resolve().parents[2] / "deploy" / "migrations"
    )
)


def yoyo_url(database_url: str) -> str:
    """yoyo speaks psycopg 3 under the ``postgresql+psycopg`` scheme."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))


def apply_migrations(
    database_url: str, directory: Path = MIGRATIONS_DIR, up_to: str | None = None
) -> list[str]:
    """Apply every pending migration (or those up to and including ``up_to``); return the
    ids applied (empty when up to date)."""
    backend = get_backend(yoyo_url(database_url))
    try:
        migrations = read_migrations(str(directory))
        if up_to is not None:
            migrations = migrations.filter(lambda m: m.id <= up_to)
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
        return [m.id for m in pending]
    finally:
        backend.connection.close()
