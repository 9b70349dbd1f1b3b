from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.models import UsageDaily, UsageLog
from chat.models import Attachment, Conversation, Message
from conftest import PASSWORD
from documents.models import Document
from privacy import tasks
from privacy.models import AccountDeletion
from privacy.tests.conftest import make_history


def _file(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def test_it_asks_for_the_password_before_scheduling(in_tenant, tenant_a, member, member_client):
    response = member_client.post(reverse("privacy_account_delete"), {"password": "wrong"})
    assert response.status_code == 400
    assert "The password is not right." in response.content.decode()
    with in_tenant(tenant_a):
        assert not AccountDeletion.objects.exists()


def test_it_erases_an_account_after_the_grace_period(
    celery_eager, django_capture_on_commit_callbacks, in_tenant, tenant_a, tenant_b, owner, member, outsider,
    member_client,
):  # fmt: skip
    with in_tenant(tenant_a):
        mine = make_history(member, tenant_a, marker="MEMBER")
        theirs = make_history(owner, tenant_a, marker="OWNER")
    with in_tenant(tenant_b):
        make_history(outsider, tenant_b, marker="OUTSIDER")
        outsider_counts = (Conversation.objects.count(), Message.objects.count(), Document.objects.count())

    response = member_client.post(reverse("privacy_account_delete"), {"password": PASSWORD})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        deletion = AccountDeletion.objects.get(user_id=member.pk)
    grace = deletion.scheduled_for - timezone.now()
    assert (
        timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS - 1)
        < grace
        <= timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    )
    assert "data-deletion-scheduled" in member_client.get(reverse("accounts_preferences")).content.decode()

    # Within the grace period the beat job leaves the account alone.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.erase_due_accounts.delay()
    with in_tenant(tenant_a):
        assert User.objects.filter(pk=member.pk, is_active=True).exists()
        AccountDeletion.objects.filter(pk=deletion.pk).update(scheduled_for=timezone.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.erase_due_accounts.delay()

    with in_tenant(tenant_a):
        assert not User.objects.filter(pk=member.pk).exists()
        assert not Conversation.objects.filter(user_id=member.pk).exists()
        assert not Message.objects.filter(content__startswith="MEMBER").exists()
        assert not Attachment.objects.filter(pk=mine["attachment"].pk).exists()
        assert not Document.objects.filter(owner_id=member.pk).exists()
        deletion.refresh_from_db()
        assert deletion.completed_at is not None and deletion.user_email == ""
        # The owner's history is untouched.
        assert Message.objects.filter(content__startswith="OWNER").count() == 4
        assert Document.objects.filter(owner=owner).count() == 1
    assert not _file(mine["attachment"].file.name).exists()
    assert not _file(mine["documents"][0].file.name).exists()
    assert _file(theirs["attachment"].file.name).exists()
    assert _file(theirs["documents"][0].file.name).exists()

    # Usage stays for billing, without the user's id or e-mail.
    usage = UsageLog.objects.filter(tenant=tenant_a, tokens_used=42)
    assert usage.count() == 2
    assert not usage.filter(user_id=member.pk).exists() and not usage.filter(user_email=member.email).exists()
    assert usage.filter(user_id=None, user_email="").count() == 1
    assert not UsageDaily.objects.filter(user_id=member.pk).exists()
    assert not UsageDaily.objects.filter(user_email=member.email).exists()

    with in_tenant(tenant_b):
        assert (Conversation.objects.count(), Message.objects.count(), Document.objects.count()) == outsider_counts
        assert User.objects.filter(pk=outsider.pk, is_active=True).exists()
