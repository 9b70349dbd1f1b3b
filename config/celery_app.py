import os

from celery import signals
from tenant_schemas_celery.app import CeleryApp

from config.logging import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("chorus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# task log lines carry the task id and the tenant schema (config/logging.py)
connect_celery_signals()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(**_kwargs):
    """Django's rule around each task: the connection goes back to the pool (or is closed).

    Celery's Django fix-up would instead close the whole pool of a prefork process before and
    after every task, so that each task opened new PostgreSQL connections (3-6 ms each, twice per
    answer); ``CELERY_DB_REUSE_MAX`` (settings) switches the fix-up's closing off.
    """
    from django.db import close_old_connections

    close_old_connections()
