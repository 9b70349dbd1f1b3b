"""Settings for the chat throughput benchmark: the local settings plus a trivial view to compare with."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.chat_urls"
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
# Under ASGI every request's sync code may run on a different thread; with persistent connections
# (CONN_MAX_AGE=60 in base) each thread keeps one open and 50 clients exhaust PostgreSQL's
# max_connections ("too many clients already"). Measured with per-request connections instead.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
