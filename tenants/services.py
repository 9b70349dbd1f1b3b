"""Writes on tenants: creation, provisioning by cloning the template schema, suspension."""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.clone import CLONE_SCHEMA_FUNCTION, CloneSchema
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from core import mail
from core.db import use_public_schema
from core.tasks import enqueue

from .models import Domain, Tenant
from .selectors import TENANT_ROWS, TENANTS, tenant_subdomain_taken, tenants_failed_stale
from .validators import schema_name_for, validate_subdomain

logger = logging.getLogger(__name__)


def tenant_cache_bump(tenant: Tenant | None = None) -> None:
    """A Tenant or Domain row changed: processes look it up again once the current transaction
    commits. Every service here that writes either model calls it. With ``tenant``: only that
    tenant's own row changed (its hosts did not), and only its lookups are read again; without:
    hosts or the set of tenants changed, and every lookup is (tenants.selectors)."""
    if tenant is None:
        TENANTS.bump()
    else:
        TENANT_ROWS.bump(schema=tenant.schema_name)


@transaction.atomic
def public_tenant_ensure() -> Tenant:
    """The row that routes the public host to the public schema (idempotent)."""
    tenant, created = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={"name": "Chorus", "state": Tenant.State.READY},
    )
    _domain, domain_created = Domain.objects.get_or_create(
        domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
    )
    if created or domain_created:
        tenant_cache_bump()
    return tenant


def template_schema_ensure(verbosity: int = 0) -> None:
    """Create and migrate the template schema that new tenants are cloned from."""
    from django.core.management import call_command

    base = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{base}"')
    call_command("migrate_schemas", schema_name=base, tenant=True, interactive=False, verbosity=verbosity)


@transaction.atomic
def tenant_create(
    *,
    name: str,
    subdomain: str,
    owner_email: str,
    owner_password: str,
    owner_name: str = "",
    language: str = "en",
    provision: bool = True,
    owner_verified: bool = True,
) -> Tenant:
    """Create a tenant row and its domain, and enqueue provisioning on commit.

    Everything is validated before anything is written; a failed signup for the same
    subdomain is replaced. ``owner_verified``: the caller vouches for the owner's address (an
    operator's command); a public signup passes False (see ``tenant_signup``) and the workspace
    stays unusable until the owner follows the link of the confirmation e-mail.
    """
    subdomain = (subdomain or "").strip().lower()
    owner_email = (owner_email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Please give your workspace a name.")]
    try:
        validate_subdomain(subdomain)
        if tenant_subdomain_taken(subdomain=subdomain):
            raise ValidationError(_("“%(value)s” is already taken.") % {"value": subdomain}, code="taken")
    except ValidationError as exc:
        errors["subdomain"] = exc.messages
    try:
        validate_email(owner_email)
    except ValidationError as exc:
        errors["owner_email"] = exc.messages
    try:
        validate_password(owner_password)
    except ValidationError as exc:
        errors["owner_password"] = exc.messages
    if errors:
        raise ValidationError(errors)

    # A failed earlier attempt at this subdomain holds no schema; replace it.
    replaced, _rows = Tenant.objects.filter(subdomain=subdomain, state=Tenant.State.FAILED).delete()

    tenant = Tenant(
        name=name,
        subdomain=subdomain,
        schema_name=schema_name_for(subdomain),
        state=Tenant.State.PENDING,
        settings={"default_language": language if language in ("en", "sl") else "en"},
        pending_owner={
            "email": owner_email,
            "password": make_password(owner_password),
            "name": owner_name,
            "verified": owner_verified,
        },
        owner_verified_at=timezone.now() if owner_verified else None,
    )
    tenant.full_clean()
    tenant.save()
    Domain.objects.create(domain=f"{subdomain}.{settings.BASE_DOMAIN}", tenant=tenant, is_primary=True)
    if replaced:
        tenant_cache_bump()  # the failed signup's row may be memoised under this host (a new host is not)
    if provision:
        enqueue("tenants.tasks.provision_tenant", args=[str(tenant.pk)], schema=get_public_schema_name())
    return tenant


class _CloneOnce(CloneSchema):
    """django-tenants' CloneSchema, without re-creating its functions on every clone.

    Upstream runs CREATE OR REPLACE FUNCTION for ~240 kB of PL/pgSQL before each clone. Every
    replacement leaves the previous compiled copies in the backend's memory (six PL/pgSQL function
    contexts, ~16 MB per clone, measured on PostgreSQL 18): a long-lived process such as the
    provisioning worker keeps one database session, so each clone ran slower than the one before
    (0.27 s, then ~10 s after 100). The functions are now created only when the database lacks
    this exact version, recognised by the sha256 of their source kept in the function's comment.

    Each clone also created two helper enum types in ``public`` at its start and dropped them at its
    end: a second clone's CREATE TYPE waited for the first one's transaction (unique names in
    pg_type), so parallel provisioning ran one clone at a time (measured at 1,000 tenants, issue 12
    §6). The types are now created once with the functions (``_shared_types_once``).
    """

    def _create_clone_schema_function(self):
        source, types = _shared_types_once(
            _catalog_queries_indexed(
                CLONE_SCHEMA_FUNCTION.format(db_user=settings.DATABASES["default"].get("USER") or "postgres")
            )
        )
        marker = "chorus:" + hashlib.sha256(source.encode()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE p.proname = 'clone_schema' AND n.nspname = 'public'"
            )
            if any(row[0] == marker for row in cursor.fetchall()):
                return
            cursor.execute(source)
            for statement in types:
                name = statement.split()[2]  # CREATE TYPE public.x AS ENUM (...)
                cursor.execute(f"DROP TYPE IF EXISTS {name}")
                cursor.execute(statement)
            cursor.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE p.proname = 'clone_schema' AND n.nspname = 'public'"
            )
            for (signature,) in cursor.fetchall():
                cursor.execute(f"COMMENT ON FUNCTION {signature} IS %s", [marker])


_TYPES_MADE_PER_CLONE = re.compile(
    r"\n[ \t]*SELECT count\(\*\) INTO cnt FROM pg_catalog\.pg_type .*?"
    r"(CREATE TYPE public\.objj_type AS ENUM \([^)]*\);)\s*(CREATE TYPE public\.permm_type AS ENUM \([^)]*\);)",
    re.S,
)
_TYPES_DROPPED_PER_CLONE = "\n  DROP TYPE IF EXISTS public.objj_type;\n  DROP TYPE IF EXISTS public.permm_type;\n"


# Queries of the clone functions whose cost grows with the whole catalog (every schema's tables),
# each replaced by an equivalent one on pg_catalog's indexes: (name, pattern, replacement, count).
_CATALOG_WIDE_QUERIES: list[tuple[str, re.Pattern[str], str, int]] = [
    (
        # pg_get_tabledef, twice per table: "does the table's name hold a capital letter?" read through
        # information_schema.tables, which filters only after listing every table of the database
        # (82 ms per call at 230 tenants, 5.4 s of an 8 s clone; measured, docs/SCALING.md).
        "table name has capitals",
        re.compile(
            r"SELECT count\(\*\) INTO v_cnt1 FROM information_schema\.tables t WHERE EXISTS "
            r"\(SELECT REGEXP_MATCHES\(s\.table_name, '\(\[A-Z\]\+\)','g'\) FROM information_schema\.tables s\s*"
            r"WHERE t\.table_schema=s\.table_schema AND t\.table_name=s\.table_name AND t\.table_schema = in_schema "
            r"AND t\.table_name = in_table AND t\.table_type = 'BASE TABLE'\);"
        ),
        "SELECT count(*) INTO v_cnt1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
        " ON n.oid = c.relnamespace WHERE n.nspname = in_schema AND c.relname = in_table"
        " AND c.relkind IN ('r', 'p') AND c.relname ~ '([A-Z]+)';",
        2,
    ),
    (
        # pg_get_tabledef, once per column (the table with a pgvector column is cloned through it):
        # "does the column's name hold a capital letter?" through a self-join of
        # information_schema.columns over the whole schema: 116 ms of backend CPU per column at 255
        # tenants, most of a clone's CPU, growing with the catalog.
        "column name has capitals",
        re.compile(
            r"SELECT COUNT\(\*\) INTO v_cnt1 FROM information_schema\.columns t WHERE EXISTS "
            r"\(SELECT REGEXP_MATCHES\(s\.column_name, '\(\[A-Z\]\+\)','g'\) FROM information_schema\.columns s\s*"
            r"WHERE t\.table_schema=s\.table_schema and t\.table_name=s\.table_name and t\.column_name=s\.column_name "
            r"AND t\.table_schema = quote_ident\(in_schema\) AND column_name = v_colrec\.column_name\);"
        ),
        "SELECT count(*) INTO v_cnt1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = quote_ident(in_schema)"
        " AND c.relname = in_table AND a.attname = v_colrec.column_name AND a.attnum > 0 AND NOT a.attisdropped"
        " AND a.attname ~ '([A-Z]+)';",
        1,
    ),
]


def _verbatim(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts ``text`` as it is (no backslash or group processing)."""
    return lambda _match: text


def _catalog_queries_indexed(source: str) -> str:
    """The clone functions' source with _CATALOG_WIDE_QUERIES replaced; a query not found as
    expected (a django-tenants upgrade) is left as it is: correct, only slower."""
    for name, pattern, replacement, count in _CATALOG_WIDE_QUERIES:
        if len(pattern.findall(source)) != count:
            logger.warning("django-tenants' clone_schema has changed; query %r is kept as it is", name)
            continue
        source = pattern.sub(_verbatim(replacement), source)
    return source


def _shared_types_once(source: str) -> tuple[str, list[str]]:
    """The clone functions' source without the per-clone CREATE/DROP of its two helper types in
    ``public``, and the CREATE TYPE statements to run once instead. A source of another shape (a
    django-tenants upgrade) is kept as it is: correct, only serialised."""
    made = list(_TYPES_MADE_PER_CLONE.finditer(source))
    if len(made) != 1 or source.count(_TYPES_DROPPED_PER_CLONE) != 1:
        logger.warning("django-tenants' clone_schema has changed; its helper types are made per clone")
        return source, []
    match = made[0]
    source = source[: match.start()] + "\n" + source[match.end() :]
    return source.replace(_TYPES_DROPPED_PER_CLONE, "\n"), [match.group(1), match.group(2)]


def clone_functions_ensure() -> None:
    """Create the clone functions in the database if this version is missing (idempotent)."""
    use_public_schema()
    _CloneOnce()._create_clone_schema_function()


def _clone_template(schema_name: str) -> None:
    _CloneOnce().clone_schema(settings.TENANT_BASE_SCHEMA, schema_name, "DATA")


def _migrate_fresh(schema_name: str) -> None:
    from django.core.management import call_command

    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"')
    call_command("migrate_schemas", schema_name=schema_name, tenant=True, interactive=False, verbosity=0)


def _claim_provisioning(tenant_id) -> tuple[Tenant, uuid.UUID | None]:
    """Take the provisioning run for this tenant, or say another run holds it (claim None).

    A run holds it from PENDING or FAILED, or from PROVISIONING once the previous claim is older
    than the lease (that run died: the task's time limit is shorter than the lease)."""
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant_id)
        if tenant.state == Tenant.State.READY:
            return tenant, None
        lease = timedelta(seconds=settings.TENANT_PROVISIONING_LEASE_SECONDS)
        if (
            tenant.state == Tenant.State.PROVISIONING
            and tenant.provisioning_started_at is not None
            and tenant.provisioning_started_at > timezone.now() - lease
        ):
            logger.warning("provisioning of %s is already in progress; this run stops", tenant.schema_name)
            return tenant, None
        claim = uuid.uuid4()
        tenant.state = Tenant.State.PROVISIONING
        tenant.provisioning_error = ""
        tenant.provisioning_started_at = timezone.now()
        tenant.provisioning_claim = claim
        tenant.save(
            update_fields=["state", "provisioning_error", "provisioning_started_at", "provisioning_claim", "updated_at"]
        )
        tenant_cache_bump(tenant)
        return tenant, claim


def _still_claimed(tenant: Tenant, claim: uuid.UUID) -> bool:
    return Tenant.objects.filter(pk=tenant.pk, provisioning_claim=claim).exists()


def _create_from_ddl(schema_name: str) -> bool:
    """Make the schema from the template's DDL (tenants.schema_ddl); False when that DDL cannot be
    used (pg_dump missing, the template's name where it cannot be substituted): clone instead."""
    from .schema_ddl import DdlUnusable, plan_for, schema_create_from_plan

    try:
        plan = plan_for(settings.TENANT_BASE_SCHEMA)
    except DdlUnusable as exc:
        logger.warning("provisioning %s by clone: the template's DDL is unusable (%s)", schema_name, exc)
        return False
    with transaction.atomic():
        schema_create_from_plan(plan, schema_name)
    return True


def tenant_provision(*, tenant_id, method: str | None = None) -> Tenant:
    """Build the tenant's schema and its owner account; safe to run twice, and refused while
    another run is at it (a redelivered task must not drop the schema that run is cloning into).

    ``method`` (default TENANT_PROVISIONING_METHOD): "ddl" (the template's DDL replayed, falling
    back to the clone when unusable), "clone" (django-tenants' clone_schema) or "migrate".

    On failure the schema is dropped, the tenant is marked failed with the reason, and
    running this again retries from scratch.
    """
    tenant, claim = _claim_provisioning(tenant_id)
    if claim is None:
        return tenant

    method = method or settings.TENANT_PROVISIONING_METHOD
    started = time.perf_counter()
    try:
        use_public_schema()
        if schema_exists(tenant.schema_name):
            _drop_schema(tenant.schema_name)
        has_template = schema_exists(settings.TENANT_BASE_SCHEMA)
        if method == "ddl" and has_template and _create_from_ddl(tenant.schema_name):
            pass
        elif method in ("ddl", "clone") and has_template:
            _clone_template(tenant.schema_name)
        else:
            _migrate_fresh(tenant.schema_name)
        _schema_ready(tenant)
    except Exception as exc:  # noqa: BLE001 - any failure must leave no schema behind
        logger.exception("provisioning of %s failed", tenant.schema_name)
        use_public_schema()
        if not _still_claimed(tenant, claim):
            return Tenant.objects.get(pk=tenant.pk)  # a later run took over: its schema, not ours
        _drop_schema(tenant.schema_name)
        tenant.state = Tenant.State.FAILED
        tenant.provisioning_error = str(exc)[:2000]
        tenant.provisioning_claim = None
        tenant.save(update_fields=["state", "provisioning_error", "provisioning_claim", "updated_at"])
        tenant_cache_bump(tenant)
        return tenant
    finally:
        use_public_schema()

    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if tenant.provisioning_claim != claim:
            return tenant
        owner_email = (tenant.pending_owner or {}).get("email", "")
        tenant.state = Tenant.State.READY
        tenant.provisioned_at = timezone.now()
        # the password hash goes; an unconfirmed owner's address stays, to resend the confirmation
        tenant.pending_owner = {} if tenant.owner_verified_at or not owner_email else {"email": owner_email}
        tenant.provisioning_claim = None
        tenant.save(update_fields=["state", "provisioned_at", "pending_owner", "provisioning_claim", "updated_at"])
        tenant_cache_bump(tenant)
        if tenant.owner_verified_at is not None and owner_email:
            # confirmed while the schema was being built: make sure the owner's address says so
            _owner_verified(tenant, owner_email)
    logger.info("provisioned %s in %.3fs (%s)", tenant.schema_name, time.perf_counter() - started, method)
    return tenant


def _drop_schema(schema_name: str) -> None:
    if schema_name in (get_public_schema_name(), settings.TENANT_BASE_SCHEMA):
        raise ValueError("refusing to drop a protected schema")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def _owner_verified(tenant: Tenant, email: str) -> None:
    """Run the TENANT_OWNER_VERIFIED_HOOKS inside the tenant's schema (accounts marks the address proven)."""
    with schema_context(tenant.schema_name):
        for path in settings.TENANT_OWNER_VERIFIED_HOOKS:
            import_string(path)(tenant, email)


def _schema_ready(tenant: Tenant) -> None:
    """Run the TENANT_SCHEMA_READY_HOOKS inside the new schema (e.g. accounts creates the owner).

    Hooks are named in settings so that tenants depends on no other app (DESIGN §3).
    """
    with schema_context(tenant.schema_name):
        for path in settings.TENANT_SCHEMA_READY_HOOKS:
            import_string(path)(tenant)


@transaction.atomic
def tenant_set_active(*, tenant: Tenant, active: bool) -> Tenant:
    tenant.is_active = active
    tenant.save(update_fields=["is_active", "updated_at"])
    tenant_cache_bump(tenant)  # on commit: a reader before the commit still reads (and keeps) the active row
    return tenant


@transaction.atomic
def tenant_settings_save(*, tenant: Tenant) -> Tenant:
    """Save a tenant's own settings (name, branding, sign-up policy, legal; the admins' forms)."""
    tenant.full_clean()
    tenant.save()
    tenant_cache_bump(tenant)
    return tenant


@transaction.atomic
def domain_add(*, tenant: Tenant, domain: str, is_primary: bool = False, is_custom: bool = False) -> Domain:
    obj = Domain(tenant=tenant, domain=domain.strip().lower(), is_primary=is_primary, is_custom=is_custom)
    obj.full_clean()
    obj.save()
    tenant_cache_bump()
    return obj


@transaction.atomic
def domain_remove(*, domain: Domain) -> None:
    domain.delete()
    tenant_cache_bump()


@transaction.atomic
def tenant_provision_retry(*, tenant: Tenant) -> Tenant:
    """A failed signup is built again from scratch (the progress page's retry button)."""
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.state != Tenant.State.FAILED:
        return tenant
    tenant.state = Tenant.State.PENDING
    tenant.provisioning_error = ""
    tenant.save(update_fields=["state", "provisioning_error", "updated_at"])
    tenant_cache_bump(tenant)
    enqueue("tenants.tasks.provision_tenant", args=[str(tenant.pk)], schema=get_public_schema_name())
    return tenant


def tenant_url(tenant: Tenant, path: str = "/", request=None) -> str:
    """Absolute URL of ``path`` on the tenant's host, with the scheme and port in use.

    The port is never the one of the request's Host header: it is PUBLIC_PORT when the operator sets
    it (production, behind a proxy: the server's own port is not the public one), else the port the
    server listens on (development)."""
    scheme = "https" if request is not None and request.is_secure() else "http"
    port = ""
    public_port = getattr(settings, "PUBLIC_PORT", None)
    if public_port is not None:
        port = "" if str(public_port) in ("", "80", "443") else f":{public_port}"
    elif request is not None:
        p = request.get_port()
        if p not in ("80", "443"):
            port = f":{p}"
    elif settings.BASE_DOMAIN == "localhost":
        port = f":{settings.PORT}"
    return f"{scheme}://{tenant.host()}{port}{path}"


OWNER_CONFIRM_SALT = "chorus.tenants.owner-confirm"


def owner_confirm_token(tenant: Tenant, email: str) -> str:
    return signing.dumps({"t": str(tenant.pk), "e": email}, salt=OWNER_CONFIRM_SALT)


def owner_confirm_token_read(token: str, *, tenant_id) -> str | None:
    """The owner's address named by a valid confirmation token for this tenant, else None."""
    try:
        payload = signing.loads(token, salt=OWNER_CONFIRM_SALT, max_age=settings.TENANT_UNVERIFIED_PURGE_HOURS * 3600)
    except signing.BadSignature:
        return None
    if payload.get("t") != str(tenant_id):
        return None
    return payload.get("e") or None


@transaction.atomic
def tenant_signup(
    *,
    name: str,
    subdomain: str,
    owner_email: str,
    owner_password: str,
    owner_name: str = "",
    language: str = "en",
    request=None,
) -> Tenant:
    """A workspace created from the public signup form. Nobody has proven the owner's address yet:
    the owner gets an e-mail with a link; until they follow it the workspace is not usable, and
    after TENANT_UNVERIFIED_PURGE_HOURS an unconfirmed workspace is deleted."""
    tenant = tenant_create(
        name=name,
        subdomain=subdomain,
        owner_email=owner_email,
        owner_password=owner_password,
        owner_name=(owner_name or "").strip(),
        language=language,
        owner_verified=False,
    )
    _send_owner_confirmation(tenant, tenant.pending_owner["email"], language=language, request=request)
    return tenant


def _send_owner_confirmation(tenant: Tenant, email: str, *, language: str, request=None) -> None:
    public = Tenant.objects.filter(schema_name=get_public_schema_name()).first()
    path = f"/signup/{tenant.pk}/confirm/{owner_confirm_token(tenant, email)}/"
    link = tenant_url(public, path, request) if public is not None else path
    with translation.override(language):
        subject = _("Confirm your e-mail address for %(workspace)s") % {"workspace": tenant.name}
        message = mail.build(
            template="tenants/email/confirm_owner",
            to=[email],
            subject=subject,
            context={"link": link, "workspace": tenant.name, "hours": settings.TENANT_UNVERIFIED_PURGE_HOURS},
            brand=mail.brand_of(tenant),
        )
    transaction.on_commit(message.send)


@transaction.atomic
def tenant_owner_confirmation_resend(*, tenant: Tenant, request=None) -> bool:
    """Send the confirmation e-mail again, to the address given at signup. False when there is
    nothing to confirm (already confirmed, or no address kept)."""
    email = (tenant.pending_owner or {}).get("email")
    if tenant.owner_verified_at is not None or not email:
        return False
    _send_owner_confirmation(tenant, email, language=tenant.settings_data["default_language"], request=request)
    return True


def tenant_owner_confirm(*, tenant_id, email: str) -> Tenant:
    """The owner followed the confirmation link: the workspace becomes usable (once provisioned)."""
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant_id)
        if tenant.owner_verified_at is not None:
            return tenant
        tenant.owner_verified_at = timezone.now()
        if tenant.state == Tenant.State.READY:
            tenant.pending_owner = {}  # only the address was kept, for resending; no longer needed
        elif tenant.pending_owner:
            tenant.pending_owner = {**tenant.pending_owner, "verified": True}
        tenant.save(update_fields=["owner_verified_at", "pending_owner", "updated_at"])
        tenant_cache_bump(tenant)  # the workspace becomes usable for every process once this commits
        if tenant.state == Tenant.State.READY:
            _owner_verified(tenant, email)
    use_public_schema()
    return tenant


def tenant_purge_unverified(*, older_than_hours: int) -> int:
    """Delete workspaces whose owner never confirmed their address (schema included)."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    stale = Tenant.objects.filter(owner_verified_at__isnull=True, created_at__lt=cutoff).exclude(
        schema_name=get_public_schema_name()
    )
    count = 0
    for tenant in stale:
        try:
            with transaction.atomic():  # the schema and the row go together, or neither
                tenant.delete(force_drop=True)
                tenant_cache_bump()
        except Exception:  # noqa: BLE001 - one broken workspace must not keep the others
            logger.exception("could not purge unconfirmed workspace %s", tenant.schema_name)
            use_public_schema()
            continue
        count += 1
    return count


def tenant_purge_failed(*, older_than_hours: int = 24) -> int:
    """Delete failed signups (their schema was already dropped) older than the given age.

    One at a time, each in its own transaction: one that cannot be deleted is logged and the
    others still go. The beat job sends one task per signup instead (tenants.tasks)."""
    count = 0
    for tenant_id in tenants_failed_stale(older_than_hours=older_than_hours):
        try:
            count += tenant_purge_failed_one(tenant_id=tenant_id, older_than_hours=older_than_hours)
        except Exception:  # noqa: BLE001 - one failed purge must not keep the others
            logger.exception("purging failed signup %s failed", tenant_id)
    return count


@transaction.atomic
def tenant_purge_failed_one(*, tenant_id, older_than_hours: int = 24) -> bool:
    """Delete one failed signup if it is still failed and old enough; safe to run twice."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    tenant = (
        Tenant.objects.select_for_update()
        .filter(pk=tenant_id, state=Tenant.State.FAILED, updated_at__lt=cutoff)
        .exclude(schema_name=get_public_schema_name())
        .first()
    )
    if tenant is None:
        return False
    tenant.delete(force_drop=True)  # DROP SCHEMA IF EXISTS: a no-op when nothing is left
    tenant_cache_bump()
    return True


def workspace_delete(*, subdomain: str, export: str | None = None, out=None) -> bool:
    """Remove a workspace with all its data; False when there is none (already deleted).

    Steps, each safe to run again, so an interrupted deletion is finished by running it again:
    the workspace stops serving; its export is written (the backup_workspace format) when asked;
    the TENANT_DELETE_HOOKS run (billing cancels the Stripe subscriptions); its files are removed
    (listed from its schema, so before the schema goes); the schema is dropped; the Tenant row goes
    and its Domain rows (and billing's rows) with it.
    """
    import shutil
    from pathlib import Path

    from .backups import workspace_backup, workspace_files

    say = out or (lambda _msg: None)
    use_public_schema()
    tenant = Tenant.objects.filter(subdomain=subdomain).exclude(schema_name=get_public_schema_name()).first()
    if tenant is None:
        return False
    if tenant.is_active:
        tenant_set_active(tenant=tenant, active=False)
        say("stopped serving")
    has_schema = schema_exists(tenant.schema_name)
    if export:
        if has_schema and tenant.state == Tenant.State.READY:
            workspace_backup(subdomain=subdomain, output=export)
            say(f"export written to {export}")
        elif not Path(export).exists():
            raise ValidationError(_("The workspace's data is already gone; no export can be written."))
    for path in settings.TENANT_DELETE_HOOKS:
        import_string(path)(tenant)
    say("billing cancelled")
    root = Path(settings.MEDIA_ROOT).resolve()
    if has_schema:
        for name in workspace_files(tenant):
            (root / name).unlink(missing_ok=True)
    shutil.rmtree(root / tenant.schema_name, ignore_errors=True)
    say("files removed")
    use_public_schema()
    _drop_schema(tenant.schema_name)
    say("schema dropped")
    with transaction.atomic():
        Tenant.objects.filter(pk=tenant.pk).delete()  # a queryset delete: the schema is already gone
        tenant_cache_bump()
    say("workspace removed")
    return True
