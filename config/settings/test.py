"""Tests: their own embedded servers under .data/test, fast hashing, mail in memory."""

import os
from pathlib import Path

os.environ.setdefault("CHORUS_DATA_DIR", str(Path(__file__).resolve().parent.parent.parent / ".data" / "test"))

from .base import *  # noqa: E402, F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_EMAIL_VERIFICATION = "optional"
# Platform keys from the developer's environment must not leak into tests.
OPENAI_API_KEY = ANTHROPIC_API_KEY = PERPLEXITY_API_KEY = ""
STRIPE_SECRET_KEY = STRIPE_WEBHOOK_SECRET = ""
CELERY_BEAT_SCHEDULE = {}
