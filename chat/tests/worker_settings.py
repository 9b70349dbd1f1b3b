"""Settings of a real Celery worker process started by a test (the test settings, plus the platform
key pointing at the test's fake provider server on 127.0.0.1, given through the environment)."""

import os

from config.settings.test import *  # noqa: F403

OPENAI_API_KEY = os.environ["CHORUS_TEST_OPENAI_KEY"]
OPENAI_BASE_URL = os.environ["CHORUS_TEST_OPENAI_BASE_URL"]
