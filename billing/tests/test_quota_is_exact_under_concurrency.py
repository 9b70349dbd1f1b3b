"""50 concurrent questions with one left: exactly one is admitted (threads, real PostgreSQL).

Each thread has its own connection and transaction, as concurrent requests do. The test works in a
period of its own (a month in the future) so its committed counter rows touch no other test, and
removes them at the end."""

import threading
import uuid
from datetime import UTC, datetime

from django.db import connection, transaction

from billing import quotas
from billing.models import UsageCounter
from billing.services import QuotaExceeded, quota_reserve

from .helpers import in_thread, set_used


def test_it_admits_exactly_one_of_fifty_concurrent_questions_when_one_is_left(tenant_a):
    now = datetime(2150 + uuid.uuid4().int % 700, 3, 15, 12, tzinfo=UTC)
    limits = quotas.limits_for(schema=tenant_a.schema_name, now=now)
    assert limits.question_limit is not None
    in_thread(set_used, tenant_a, quotas.Kind.QUESTIONS, limits.period, limits.question_limit - 1)
    users = [uuid.uuid4() for _ in range(50)]
    barrier = threading.Barrier(50)
    outcomes: list[str] = []
    lock = threading.Lock()

    def ask(user_id):
        try:
            barrier.wait()
            with transaction.atomic():
                quota_reserve(schema=tenant_a.schema_name, user_id=user_id, now=now)
            result = "admitted"
        except QuotaExceeded as exc:
            result = exc.limit
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=ask, args=(u,)) for u in users]
    try:
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert outcomes.count("admitted") == 1
        assert outcomes.count(quotas.Kind.QUESTIONS) == 49
        used = in_thread(
            lambda: (
                UsageCounter.objects.get(
                    tenant_id=tenant_a.pk, kind=quotas.Kind.QUESTIONS, period_start=limits.period.start
                ).used
            )
        )
        assert used == limits.question_limit
    finally:
        in_thread(
            lambda: UsageCounter.objects.filter(tenant_id=tenant_a.pk, period_start__gte=limits.period.start).delete()
        )
