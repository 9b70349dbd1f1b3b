"""Ten uploads at once with three places left under the plan's document limit: exactly three are
stored (billing's counter, reserved in the upload's transaction; threads, real PostgreSQL).

Each thread has its own connection and transaction, as concurrent requests do. What they commit
(documents, the counter) is removed at the end, and the counter put back as it was."""

import threading
import uuid

from django.db import connection
from django_tenants.utils import schema_context

from billing import quotas
from billing.models import TENANT_WIDE, UsageCounter
from billing.tests.helpers import in_thread
from documents import services
from documents.errors import UploadRefused
from documents.models import Document

THREADS = 10
LEFT = 3


def _counter(tenant):
    return UsageCounter.objects.filter(tenant_id=tenant.pk, kind=quotas.Kind.DOCUMENTS, user_id=TENANT_WIDE,
                                       period_start=quotas.FOREVER_START)  # fmt: skip


def test_it_stores_exactly_the_places_left(tenant_a, owner, media, settings, monkeypatch):
    settings.DOCUMENTS_USAGE_HOOK = ""  # the ledger is billing's test; nothing committed there
    monkeypatch.setattr(services, "_enqueue_processing", lambda document: None)  # no worker touches these rows
    limit = quotas.limits_for(schema=tenant_a.schema_name).document_limit
    assert limit is not None and limit > LEFT
    before = in_thread(lambda: list(_counter(tenant_a).values_list("used", flat=True)))

    def set_used():
        UsageCounter.objects.update_or_create(
            tenant_id=tenant_a.pk, user_id=TENANT_WIDE, kind=quotas.Kind.DOCUMENTS, period_start=quotas.FOREVER_START,
            defaults={"period_end": quotas.FOREVER_END, "used": limit - LEFT},
        )  # fmt: skip

    in_thread(set_used)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()
    tag = uuid.uuid4().hex

    def upload(i):
        try:
            with schema_context(tenant_a.schema_name):
                barrier.wait()
                services.document_upload(owner=owner, name=f"c{i}.txt", data=f"{tag} file {i}".encode())
            result = "stored"
        except UploadRefused as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(THREADS)]
    try:
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert outcomes.count("stored") == LEFT
        assert outcomes.count("max_documents") == THREADS - LEFT
        assert in_thread(lambda: _counter(tenant_a).get().used) == limit

        def stored():
            with schema_context(tenant_a.schema_name):
                return Document.objects.filter(original_filename__regex=r"^c\d+\.txt$", owner=owner).count()

        assert in_thread(stored) == LEFT
    finally:

        def clean():
            with schema_context(tenant_a.schema_name):
                Document.objects.filter(original_filename__regex=r"^c\d+\.txt$", owner=owner).delete()
            if before:
                _counter(tenant_a).update(used=before[0])
            else:
                _counter(tenant_a).delete()

        in_thread(clean)
