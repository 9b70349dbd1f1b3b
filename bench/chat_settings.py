"""Settings for the chat throughput benchmark: the local settings plus a trivial view to compare with."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.chat_urls"
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
