"""Settings of a real Celery worker process started by a test (the test settings, plus the platform
key pointing at the test's fake provider server on 127.0.0.1, given through the environment)."""

import os

from config.settings.test import *  # noqa: F403

OPENAI_API_KEY = os.environ["CHORUS_TEST_OPENAI_KEY"]
OPENAI_BASE_URL = os.environ["CHORUS_TEST_OPENAI_BASE_URL"]
# the test's own answers' queue (a worker of the browser tests consumes the default one)
CHAT_ANSWER_QUEUE = os.environ.get("CHORUS_TEST_ANSWER_QUEUE", CHAT_ANSWER_QUEUE)  # noqa: F405
# named, so a test ends this worker's leftover connections only (not the browser tests' servers')
WORKER_APPLICATION_NAME = "chorus-test-worker"
DATABASES["default"]["OPTIONS"]["application_name"] = WORKER_APPLICATION_NAME  # noqa: F405
