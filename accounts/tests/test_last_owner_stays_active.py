"""The last owner cannot deactivate themselves, in the service and in the admin (issue 8 §1.7)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_set_active


def _form(user, **overrides):
    data = {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "language": "en",
        "timezone": "UTC",
        "email_notifications": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_it_refuses_to_deactivate_the_last_owner(tenant_a, owner):
    with schema_context(tenant_a.schema_name), translation.override("en"):
        with pytest.raises(ValidationError, match="at least one active owner"):
            user_set_active(actor=owner, user=owner, active=False)
        assert User.objects.get(pk=owner.pk).is_active


def test_it_keeps_the_last_owner_active_through_the_admin(owner_client, tenant_a, owner):
    response = owner_client.post(f"/admin/accounts/user/{owner.pk}/change/", _form(owner), follow=True)
    assert b"at least one active owner" in response.content
    with schema_context(tenant_a.schema_name):
        assert User.objects.get(pk=owner.pk).is_active


def test_it_lets_an_owner_go_when_another_owner_remains(owner_client, tenant_a, owner, member):
    with schema_context(tenant_a.schema_name):
        User.objects.filter(pk=member.pk).update(role=User.Role.OWNER)
    response = owner_client.post(f"/admin/accounts/user/{owner.pk}/change/", _form(owner))
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert not User.objects.get(pk=owner.pk).is_active


def test_it_does_not_let_an_admin_deactivate_an_owner(tenant_a, owner, member):
    from django.core.exceptions import PermissionDenied

    with schema_context(tenant_a.schema_name):
        User.objects.filter(pk=member.pk).update(role=User.Role.ADMIN)
        member.refresh_from_db()
        with pytest.raises(PermissionDenied):
            user_set_active(actor=member, user=owner, active=False)
