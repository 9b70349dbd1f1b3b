"""A flagged question keeps its other meta_data, and violations at the same moment get successive levels."""

from __future__ import annotations

import threading

from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

from chat.models import Message, Violation
from chat.services.moderation import FLAGGED, _record
from chat.tests.factories import make_conversation
from orchestration.moderation import ModerationResult

WAIT = 10  # seconds; running out is a failure, not a synchronisation
FLAG = ModerationResult(flagged=True, categories={"harassment": True}, model="omni")


def test_it_merges_the_flag_into_the_questions_meta_data(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        question = make_conversation(owner, turns=1).messages.get(role="user")
        Message.objects.filter(pk=question.pk).update(meta_data={"attachments": ["a.pdf"], "client": "web"})
        _record(user_id=owner.pk, question_id=question.pk, content="bad words", result=FLAG)
        question.refresh_from_db()
        assert question.meta_data == {"attachments": ["a.pdf"], "client": "web", "moderation": FLAGGED}


def _waiting_on_locks(n: int) -> None:
    import time

    deadline = time.monotonic() + WAIT
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] >= n:
                return
            assert time.monotonic() < deadline, "the two checks never both waited"


def test_it_gives_two_violations_at_the_same_moment_successive_levels(django_db_blocker):
    from accounts.models import User
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(subdomain="tenant-a")
        with schema_context(tenant.schema_name):
            user = User.objects.create_user(email="twice-flagged@a.example", password="x" * 12)
        errors: list[str] = []

        def flag():
            try:
                with schema_context(tenant.schema_name):
                    _record(user_id=user.pk, question_id=None, content="bad words", result=FLAG)
            except Exception as exc:  # noqa: BLE001 - shown by the assertion below
                errors.append(repr(exc))
            finally:
                connections.close_all()

        try:
            with schema_context(tenant.schema_name), transaction.atomic():
                # Reads go on, writes wait: both checks count the user's violations before either
                # has written one, unless they take turns.
                with connection.cursor() as cursor:
                    cursor.execute("LOCK TABLE chat_violation IN SHARE ROW EXCLUSIVE MODE")
                threads = [threading.Thread(target=flag) for _ in range(2)]
                for t in threads:
                    t.start()
                _waiting_on_locks(2)
            for t in threads:
                t.join(WAIT)
            assert not errors and not any(t.is_alive() for t in threads)
            with schema_context(tenant.schema_name):
                levels = sorted(Violation.objects.filter(user=user).values_list("level", flat=True))
                assert levels == [1, 2]
                assert Violation.objects.filter(user=user, level=2, suspended_until__isnull=False).exists()
        finally:
            with schema_context(tenant.schema_name):
                User.objects.filter(pk=user.pk).delete()
            connection.set_schema_to_public()
