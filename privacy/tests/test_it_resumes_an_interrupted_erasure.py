from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from billing.models import UsageLog
from chat.models import Conversation
from documents.models import Document
from privacy import services
from privacy.models import AccountDeletion
from privacy.tests.conftest import make_history


def test_it_resumes_an_interrupted_erasure(in_tenant, tenant_a, owner, member, monkeypatch):
    with in_tenant(tenant_a):
        make_history(member, tenant_a, marker="MEMBER", documents=3)
        deletion = services.account_deletion_request(user=member, actor=owner)
        AccountDeletion.objects.filter(pk=deletion.pk).update(scheduled_for=timezone.now() - timedelta(seconds=1))

        real = services._anonymise_usage

        def broken(user_id):
            raise RuntimeError("worker killed")

        monkeypatch.setattr(services, "_anonymise_usage", broken)
        with pytest.raises(RuntimeError):
            services.accounts_erase_due()
        # Half-way: the conversations and documents are gone, the user and their usage not yet.
        assert not Conversation.objects.filter(user_id=member.pk).exists()
        assert not Document.objects.filter(owner_id=member.pk).exists()
        assert User.objects.filter(pk=member.pk, is_active=False).exists()
        deletion.refresh_from_db()
        assert deletion.started_at is not None and deletion.completed_at is None

        monkeypatch.setattr(services, "_anonymise_usage", real)
        assert services.accounts_erase_due() == 1
        assert not User.objects.filter(pk=member.pk).exists()
        assert not UsageLog.objects.filter(user_id=member.pk).exists()
        deletion.refresh_from_db()
        assert deletion.completed_at is not None
        assert services.accounts_erase_due() == 0  # nothing left to do; running again is harmless
