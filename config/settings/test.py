"""Tests: their own embedded servers under .data/test, fast hashing, mail in memory."""

import os
from pathlib import Path

os.environ.setdefault("CHORUS_DATA_DIR", str(Path(__file__).resolve().parent.parent.parent / ".data" / "test"))

# Django's test cases wrap each test in a transaction on one connection per thread; a process-wide
# psycopg pool handed a thread-started Celery worker (core/tests/test_task_schema.py) a connection
# that hung in the pool's health check. Tests therefore open a connection per thread, as before;
# the pool is used by the servers `make run` and the benches start (docs/PERFORMANCE.md).
os.environ.setdefault("DATABASE_POOL_MAX", "0")

from .base import *  # noqa: E402, F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_EMAIL_VERIFICATION = "optional"
# Platform keys from the developer's environment must not leak into tests.
OPENAI_API_KEY = ANTHROPIC_API_KEY = PERPLEXITY_API_KEY = ""
ORCHESTRATION_OFFLINE_PACE = 0  # the offline demo answer streams without pauses in tests
PROVIDER_ALLOWED_HOSTS: list[str] = []  # tests that reach the fake server through a tenant URL allow 127.0.0.1
STRIPE_SECRET_KEY = STRIPE_WEBHOOK_SECRET = ""
CELERY_BEAT_SCHEDULE = {}
# The test workers run in this process (celery.contrib.testing). Remote control (the pidbox) adds a
# pub/sub connection whose socket has no timeout: one test worker hung there at teardown, in
# recv_into after its event loop had seen the socket readable, until its 60 s ran out (the burst
# fairness test after the browser tests, about one run in four). Nothing in Chorus sends control
# commands; the benches' worker processes keep the default.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
# The cast sends hundreds of questions a minute across the suite and the stream tests open dozens
# of streams as one user; the tests of these limits set their own (chat/tests/test_*_limited.py, ...).
QUESTIONS_PER_MINUTE_USER = 100_000
QUESTIONS_PER_MINUTE_TENANT = 100_000
STREAMS_PER_USER = 1_000

DOCUMENTS_EMBEDDER = "deterministic"  # the real local model runs in one test (documents/tests)
