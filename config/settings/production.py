"""Production: every secret comes from the environment, nothing is generated."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()
environ.Env.read_env(str(Path(__file__).resolve().parents[2] / ".env"), overwrite=False)
_missing = [name for name in ("SECRET_KEY", "FERNET_KEYS", "DATABASE_URL", "REDIS_URL") if not _env(name, default="")]
if _missing:
    raise ImproperlyConfigured("Production settings need these environment variables: " + ", ".join(_missing))

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = False
# ALLOWED_HOSTS comes from base.py unchanged: tenants bring their own domains, so it admits every
# host unless ALLOW_CUSTOM_DOMAINS=false; the tenant middleware answers 404 for hosts no workspace
# owns, and links in e-mails are built from the workspace's own host, never from the Host header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Links in e-mails and redirects to workspaces: behind the TLS proxy the public port is the default one,
# not the port uvicorn listens on (set PUBLIC_PORT when the public URL carries a port).
PUBLIC_PORT = env("PUBLIC_PORT", default="")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# One JSON object per log line (config/logging.py) unless LOG_FORMAT=plain.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "plain"  # noqa: F405
