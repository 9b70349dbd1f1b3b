"""A tenant's schema made from DDL generated once from the template (issue 12 §6).

django-tenants' ``clone_schema`` (PL/pgSQL) asks ``information_schema`` about the template for every
clone, and those views read the whole catalog: at 698 tenants a clone cost 1.6 s of backend CPU and
grew ~1.4 ms per existing tenant (docs/SCALING.md §1). Here ``pg_dump --schema-only`` of the
template runs once per template version (its ``django_migrations`` rows), in two sections; a new
schema is then the pre-data DDL (schema, tables, sequences), the template's rows copied (INSERT …
SELECT per table that has rows, sequences set to the template's values) and the post-data DDL
(indexes, constraints, triggers), all in the caller's transaction: a failure leaves no schema.

The schema name is substituted only where the dump names it: qualified identifiers
(``tenant_template.x``), ``CREATE SCHEMA tenant_template;`` and ``'tenant_template.x'::regclass``
literals. If the name appears anywhere else (a function body, a comment, a default), the dump is
refused (``DdlUnusable``) and the caller falls back to the clone.

The dump is kept per process (``_plans``) and, shared by all processes, in the cache (``_dumps``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
import threading
from dataclasses import dataclass

from django.db import connection

logger = logging.getLogger(__name__)
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class DdlUnusable(Exception):
    """The template's dump cannot be replayed under another name safely (or pg_dump is missing)."""


@dataclass(frozen=True)
class SchemaPlan:
    """What a new schema is made of, for one template version."""

    template: str
    version: str
    pre_data: list[tuple[str, str]]  # the lexed pre-data section (kind, text)
    post_data: list[tuple[str, str]]
    settings: list[str]  # the parameters the dump SETs (restored after the replay)
    tables: dict[str, list[str]]  # table -> its copyable columns (not generated, not dropped)
    sequences: list[str]

    def sql(self, schema: str) -> tuple[str, str]:
        """The pre-data and post-data SQL for ``schema``."""
        return _substitute(self.pre_data, self.template, schema), _substitute(self.post_data, self.template, schema)


_plans: dict[tuple[str, str], SchemaPlan] = {}
_plans_lock = threading.Lock()


def forget_plans() -> None:
    with _plans_lock:
        _plans.clear()


def template_version(template: str) -> str:
    """The template's migration state: the sha256 of its django_migrations (app, name) rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT app, name FROM "{template}".django_migrations ORDER BY app, name'  # noqa: S608 - validated name
        )
        rows = cursor.fetchall()
    digest = hashlib.sha256()
    for app, name in rows:
        digest.update(f"{app}\0{name}\n".encode())
    return digest.hexdigest()


def plan_for(template: str) -> SchemaPlan:
    """The plan for the template as it is now: generated once per process and template version."""
    if not SCHEMA_NAME.match(template):
        raise DdlUnusable(f"template schema name {template!r} is not a plain identifier")
    version = template_version(template)
    key = (template, version)
    plan = _plans.get(key)
    if plan is not None:
        return plan
    with _plans_lock:
        plan = _plans.get(key)
        if plan is None:
            plan = _make_plan(template, version)
            for old in [k for k in _plans if k[0] == template]:
                del _plans[old]
            _plans[key] = plan
    return plan


def _dump(template: str, section: str) -> str:
    from .backups import BackupError, _pg_args, pg_binary

    try:
        program = pg_binary("pg_dump")
    except BackupError as exc:
        raise DdlUnusable(str(exc)) from None
    args, env = _pg_args()
    proc = subprocess.run(  # noqa: S603 - fixed program and arguments
        [program, *args, "--schema-only", f"--schema={template}", "--no-owner", "--no-acl", f"--section={section}"],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise DdlUnusable(f"pg_dump failed: {proc.stderr.strip()[-2000:]}")
    return proc.stdout


DUMP_CACHE_SECONDS = 30 * 24 * 3600


def _dumps(template: str, version: str) -> tuple[str, str]:
    """The template's two dump sections, shared by every process through the cache (Redis) under the
    template's version: pg_dump reads the whole catalog (pg_depend, every schema's), which at 4,600
    tenants took minutes on a loaded machine, so each version is dumped once, not once per process.
    The cache is trusted as the sessions are; the text is checked (``_prepare``) either way."""
    from django.core.cache import cache

    key = f"tenants:schema-ddl:{template}:{version}"
    try:
        hit = cache.get(key)
    except Exception:  # noqa: BLE001 - no cache server: dump here
        hit = None
    if isinstance(hit, (tuple, list)) and len(hit) == 2:
        return hit[0], hit[1]
    dumps = _dump(template, "pre-data"), _dump(template, "post-data")
    try:
        cache.set(key, dumps, timeout=DUMP_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - the next process dumps again
        logger.warning("cache unavailable; the template's dump is kept in this process only", exc_info=True)
    return dumps


def _make_plan(template: str, version: str) -> SchemaPlan:
    pre_text, post_text = _dumps(template, version)
    pre = _prepare(pre_text, template)
    post = _prepare(post_text, template)
    settings_names = sorted(
        {m.group(1) for kind, text in pre + post if kind == "code" for m in _SET_LOCAL.finditer(text)} | {"search_path"}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
            " WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
            " AND a.attgenerated = '' ORDER BY c.relname, a.attnum",
            [template],
        )
        tables: dict[str, list[str]] = {}
        for table, column in cursor.fetchall():
            tables.setdefault(table, []).append(column)
        cursor.execute(
            "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind = 'S' ORDER BY c.relname",
            [template],
        )
        sequences = [row[0] for row in cursor.fetchall()]
    return SchemaPlan(template, version, pre, post, settings_names, tables, sequences)


# --- the dump's text -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<comment>--[^\n]*)
      | (?P<string>[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*')
      | (?P<ident>"(?:[^"]|"")*")
      | (?P<dollar>\$\$.*?\$\$|\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)\$.*?\$(?P=tag)\$)
      | (?P<meta>^\\[^\n]*)
    """,
    re.S | re.X | re.M,
)
_SET = re.compile(r"^SET (\w+) = ", re.M)
_SET_LOCAL = re.compile(r"^SET LOCAL (\w+) = ", re.M)
# The dump's timeouts (all 0, for a restore) are not the provisioning's: the server's own stay.
_TIMEOUT_SET = re.compile(r"^SET \w*timeout = \d+;\n", re.M)
_SEARCH_PATH = "SELECT pg_catalog.set_config('search_path', '', false);"


def _lex(sql: str) -> list[tuple[str, str]]:
    """The dump as (kind, text) pieces: code, string, ident, dollar; comments and psql's
    meta-commands (``\\restrict``) are left out."""
    pieces: list[tuple[str, str]] = []
    pos = 0
    for match in _TOKEN.finditer(sql):
        if match.start() > pos:
            pieces.append(("code", sql[pos : match.start()]))
        kind = next(name for name in ("comment", "string", "ident", "dollar", "meta") if match.group(name) is not None)
        if kind not in ("comment", "meta"):
            pieces.append((kind, match.group(0)))
        pos = match.end()
    if pos < len(sql):
        pieces.append(("code", sql[pos:]))
    return pieces


def _qualified(template: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w$]){re.escape(template)}(?=\.)")


def _prepare(sql: str, template: str) -> list[tuple[str, str]]:
    """Lex the dump, make its session SETs transaction-local, and check that every mention of the
    template is one that ``_substitute`` replaces; else DdlUnusable."""
    # pg_dump's session settings, at the start of lines: transaction-local here (its timeouts dropped)
    sql = _TIMEOUT_SET.sub("", sql)
    sql = _SET.sub(lambda m: "SET LOCAL " + m.group(0)[4:], sql)
    sql = sql.replace(_SEARCH_PATH, "SELECT pg_catalog.set_config('search_path', '', true);")
    pieces = _lex(sql)
    out: list[tuple[str, str]] = []
    mentions = replaceable = 0
    create_schema = re.compile(rf"CREATE SCHEMA {re.escape(template)};")
    qualified = _qualified(template)
    for index, (kind, text) in enumerate(pieces):
        mentions += text.lower().count(template)
        if kind == "code":
            replaceable += len(qualified.findall(text)) + len(create_schema.findall(text))
        elif kind == "string" and _is_regclass_literal(pieces, index, template):
            replaceable += 1
        out.append((kind, text))
    if mentions != replaceable:
        raise DdlUnusable(
            f"the template's name appears {mentions - replaceable} time(s) where it cannot be substituted safely"
        )
    return out


def _is_regclass_literal(pieces: list[tuple[str, str]], index: int, template: str) -> bool:
    text = pieces[index][1]
    following = pieces[index + 1][1] if index + 1 < len(pieces) else ""
    return (
        re.fullmatch(rf"'{re.escape(template)}\.[a-z_][a-z0-9_$]*'", text) is not None
        and following.startswith("::regclass")
        and text.lower().count(template) == 1
    )


def _substitute(pieces: list[tuple[str, str]], template: str, schema: str) -> str:
    if not SCHEMA_NAME.match(schema) or schema == template:
        raise DdlUnusable(f"schema name {schema!r} is not a plain identifier")
    qualified = _qualified(template)
    create_schema = re.compile(rf"CREATE SCHEMA {re.escape(template)};")
    parts = []
    for index, (kind, text) in enumerate(pieces):
        if kind == "code":
            text = create_schema.sub(f'CREATE SCHEMA "{schema}";', text)
            text = qualified.sub(f'"{schema}"', text)
        elif kind == "string" and _is_regclass_literal(pieces, index, template):
            text = "'" + schema + text[1 + len(template) :]
        parts.append(text)
    return "".join(parts)


# --- replay ----------------------------------------------------------------------------------------


def schema_create_from_plan(plan: SchemaPlan, schema: str) -> None:
    """Create ``schema`` from the plan in the current transaction (the caller's atomic block)."""
    pre, post = plan.sql(schema)
    template = plan.template
    with connection.cursor() as cursor:
        names = plan.settings
        cursor.execute("SELECT " + ", ".join("current_setting(%s)" for _name in names), names)
        saved = list(zip(names, cursor.fetchone(), strict=True))
        cursor.execute(pre)
        if plan.tables:
            cursor.execute(
                " UNION ALL ".join(
                    f'SELECT \'{table}\' WHERE EXISTS (SELECT 1 FROM "{template}"."{table}")'  # noqa: S608
                    for table in plan.tables
                )
            )
            with_rows = [row[0] for row in cursor.fetchall()]
            statements = []
            for table in with_rows:
                columns = ", ".join(f'"{c}"' for c in plan.tables[table])
                statements.append(
                    f'INSERT INTO "{schema}"."{table}" ({columns}) OVERRIDING SYSTEM VALUE'  # noqa: S608
                    f' SELECT {columns} FROM "{template}"."{table}";'
                )
            for sequence in plan.sequences:
                statements.append(
                    f'SELECT pg_catalog.setval(\'"{schema}"."{sequence}"\', last_value, is_called)'  # noqa: S608
                    f' FROM "{template}"."{sequence}";'
                )
            if statements:
                cursor.execute("\n".join(statements))
        cursor.execute(post)
        cursor.execute(
            "SELECT " + ", ".join("pg_catalog.set_config(%s, %s, true)" for _pair in saved),
            [value for pair in saved for value in pair],
        )
