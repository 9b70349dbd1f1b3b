"""What a log line is about: request id, tenant schema, user id, task id (context variables).

Set by core.middleware.RequestContextMiddleware for a request and by the Celery signals of
config/logging.py for a task; ``ContextFilter`` copies them onto every record (config/logging.py
installs it on the console handler).
"""

from __future__ import annotations

import contextvars
import logging

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
tenant: contextvars.ContextVar[str | None] = contextvars.ContextVar("tenant", default=None)
user_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("user_id", default=None)
task_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)
FIELDS = {"request_id": request_id, "tenant": tenant, "user_id": user_id, "task_id": task_id}


class ContextFilter(logging.Filter):
    """Copies the context variables onto every record (None when unset)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in FIELDS.items():
            if not hasattr(record, name):
                setattr(record, name, var.get())
        return True
