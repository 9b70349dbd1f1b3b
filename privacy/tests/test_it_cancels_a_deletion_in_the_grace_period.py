from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import PASSWORD
from privacy import services
from privacy.models import AccountDeletion


def test_it_cancels_a_deletion_in_the_grace_period(in_tenant, tenant_a, member, member_client, outsider_client):
    member_client.post(reverse("privacy_account_delete"), {"password": PASSWORD})
    # The outsider has no deletion of their own to cancel, and cannot reach the member's.
    assert outsider_client.post(reverse("privacy_account_delete_cancel")).status_code == 404
    with in_tenant(tenant_a):
        assert AccountDeletion.objects.get(user_id=member.pk).cancelled_at is None

    response = member_client.post(reverse("privacy_account_delete_cancel"))
    assert response.status_code == 302
    with in_tenant(tenant_a):
        deletion = AccountDeletion.objects.get(user_id=member.pk)
        assert deletion.cancelled_at is not None
        AccountDeletion.objects.filter(pk=deletion.pk).update(scheduled_for=timezone.now() - timedelta(days=1))
        assert services.accounts_erase_due() == 0
        assert User.objects.filter(pk=member.pk, is_active=True).exists()
    page = member_client.get(reverse("accounts_preferences")).content.decode()
    assert "data-deletion-scheduled" not in page and 'data-action="delete-account"' in page
