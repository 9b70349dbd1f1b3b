"""The Celery app for bench/stream_ttfb.py's worker: the project's app plus timestamps per task.

``celery -A bench.stream_worker worker ...`` runs exactly the project's worker; the two signal
handlers only append ``<message id> <stage> <time.monotonic()>`` lines to $BENCH_TRACE_FILE (the
monotonic clock is system-wide, so the benchmark can line these up with its own timestamps):
``received`` when the worker's consumer took the task from Redis, ``prerun`` when a pool process is
about to run it (tenant schema already set by tenant-schemas-celery).
"""

import os
import time

from celery import signals

from config.celery_app import app

__all__ = ["app"]
_TRACE = os.environ.get("BENCH_TRACE_FILE", "")
_ids: dict[str, str] = {}


def _write(message_id: str, stage: str) -> None:
    if _TRACE:
        with open(_TRACE, "a") as fh:
            fh.write(f"{message_id} {stage} {time.monotonic():.6f}\n")


@signals.task_received.connect
def _received(request=None, **_kwargs):
    args = getattr(request, "args", None) or []
    if request is not None and getattr(request, "name", "") == "chat.tasks.generate_answer" and args:
        _write(str(args[0]), "received")


@signals.task_prerun.connect
def _prerun(task=None, args=None, **_kwargs):
    if task is not None and task.name == "chat.tasks.generate_answer" and args:
        _write(str(args[0]), "prerun")
