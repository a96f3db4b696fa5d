"""Verified database backup and restore (SQLite)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from tradepolicy import __version__
from tradepolicy.config import get_settings
from tradepolicy.datasets.registry import sha256_of
from tradepolicy.errors import BackupError, InUseError
from tradepolicy.store.db import dispose_engines, head_revisions
from tradepolicy.store.inuse import in_use


def _sqlite_path(url: str | None) -> Path:
    u = make_url(url or get_settings().database_url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        raise BackupError(
            "Built-in backup works on an SQLite file database.",
            field="TRADEPOLICY_DATABASE_URL",
            expected="sqlite:///path/to/file.db (for PostgreSQL use pg_dump / pg_restore)",
            example="sqlite:////home/me/.local/share/tradepolicy/tradepolicy.db",
        )
    return Path(u.database)


@dataclass(frozen=True)
class BackupManifest:
    """A backup's checksum manifest (``PATH.sha256.json``); after a restore, how it went."""

    file: str
    sha256: str
    bytes: int
    created_at: str
    schema_heads: tuple[str, ...]
    code_version: str
    forced: bool = False
    in_use: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BackupManifest:
        """Read a manifest written by :func:`backup` (unknown keys are ignored)."""
        return cls(file=str(data.get("file", "")), sha256=str(data.get("sha256", "")),
                   bytes=int(data.get("bytes", 0)), created_at=str(data.get("created_at", "")),
                   schema_heads=tuple(data.get("schema_heads", ())), code_version=str(data.get("code_version", "")))


def _manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256.json")


def backup(target: str | Path, *, url: str | None = None) -> BackupManifest:
    """Write a consistent copy of the database to ``target`` and a checksum manifest beside it.

    The copy uses SQLite's online backup API, so it is consistent under WAL.
    """
    src = _sqlite_path(url)
    if not src.exists():
        raise BackupError(f"No database at {src}; run `tradepolicy db init` first.", where=str(src))
    target = Path(target)
    if target.is_dir():
        raise BackupError(
            f"{target} is a folder; give the backup a file name.", where=str(target),
            field="PATH", expected="a file path", example=str(target / "tradepolicy-backup.db"),
        )
    tmp = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(src) as s, sqlite3.connect(tmp) as d:
            s.backup(d)
        with sqlite3.connect(tmp) as d:
            d.execute("PRAGMA journal_mode=DELETE")
        tmp.replace(target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"Could not write the backup: {exc}.", where=str(target), field="PATH",
                          expected="a writable file path", example="backups/tradepolicy.db") from exc
    finally:
        tmp.unlink(missing_ok=True)
    manifest = BackupManifest(file=target.name, sha256=sha256_of(target), bytes=target.stat().st_size,
                              created_at=dt.datetime.now(dt.UTC).isoformat(),
                              schema_heads=tuple(head_revisions()), code_version=__version__)
    data = {k: v for k, v in asdict(manifest).items() if k not in ("forced", "in_use")}
    _manifest_path(target).write_text(json.dumps({**data, "schema_heads": list(manifest.schema_heads)}, indent=2),
                                      "utf-8")
    return manifest


def verify_backup(path: str | Path) -> BackupManifest:
    """Check a backup against its manifest and SQLite's integrity check; return the manifest."""
    path = Path(path)
    mpath = _manifest_path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.", where=str(path))
    if not mpath.is_file():
        raise BackupError(
            f"The backup has no checksum manifest ({mpath.name}); refusing to restore it.",
            where=str(mpath), expected="the .sha256.json written by `tradepolicy db backup`",
        )
    try:
        manifest = json.loads(mpath.read_text("utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        raise BackupError(f"The backup's checksum manifest is unreadable: {exc}.", where=str(mpath),
                          expected="the .sha256.json written by `tradepolicy db backup`") from exc
    got = sha256_of(path)
    if got != manifest.get("sha256"):
        raise BackupError(
            "The backup's sha256 does not match its manifest: the file is corrupt or was changed. "
            "The current database was not touched.",
            where=str(path), field="sha256", expected=str(manifest.get("sha256")), example=got,
        )
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
            ok = c.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"The backup is not a readable SQLite database: {exc}.", where=str(path)) from exc
    if ok != "ok" or "alembic_version" not in tables:
        raise BackupError("The backup fails SQLite's integrity check or lacks the schema.", where=str(path))
    return BackupManifest.from_json(manifest)


def restore(source: str | Path, *, url: str | None = None, force: bool = False,
            actor: str | None = None) -> BackupManifest:
    """Replace the database with a verified backup; a bad backup changes nothing.

    Refused (``InUseError``) while the database is in use by another process (a running
    ``tradepolicy serve``, or a connection writing to it), unless ``force``. Every restore
    appends an audit entry to the restored database (``action="restore"``, with the backup's
    sha256, whether it was forced and what was using the database).
    """
    manifest = verify_backup(source)
    dst = _sqlite_path(url)
    dispose_engines()
    busy = in_use(dst)
    if busy and not force:
        raise InUseError(
            f"The database is in use: {busy}. Stop the server first, or pass --force "
            "(the restore is then audited as forced).",
            where=str(dst), field="--force", expected="a database no process is using",
            example=f"tradepolicy db restore {source} --force",
        )
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=dst.parent) as tmpdir:
            staged = Path(tmpdir) / "restore.db"
            shutil.copyfile(source, staged)
            with sqlite3.connect(staged) as s, sqlite3.connect(dst, timeout=30) as d:
                s.backup(d)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"Could not restore the backup: {exc}.", where=str(dst),
                          expected="a writable database file", example="tradepolicy db restore backup.db") from exc
    from tradepolicy.store import audit
    from tradepolicy.store.db import transaction

    with transaction(url) as session:
        audit.record(session, actor=actor or get_settings().user, action="restore", entity="database",
                     entity_id=dst.name, before=None,
                     after={"backup": Path(source).name, "sha256": manifest.sha256,
                            "created_at": manifest.created_at, "forced": bool(force),
                            "in_use": busy})
    return replace(manifest, forced=bool(force), in_use=busy)
