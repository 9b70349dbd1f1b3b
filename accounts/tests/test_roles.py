import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_change_role


def test_it_keeps_is_staff_in_step_with_the_role(tenant_a, member):
    with schema_context(tenant_a.schema_name):
        member.role = User.Role.ADMIN
        member.save()
        assert User.objects.get(pk=member.pk).is_staff is True
        member.role = User.Role.MEMBER
        member.save(update_fields=["role"])
        assert User.objects.get(pk=member.pk).is_staff is False


def test_it_does_not_let_a_member_change_roles(tenant_a, member, owner):
    with schema_context(tenant_a.schema_name), pytest.raises(PermissionDenied):
        user_change_role(actor=member, user=member, role=User.Role.ADMIN)


def test_it_does_not_let_an_admin_make_owners(tenant_a, member, owner):
    with schema_context(tenant_a.schema_name):
        admin = user_change_role(actor=owner, user=member, role=User.Role.ADMIN)
        with pytest.raises(PermissionDenied):
            user_change_role(actor=admin, user=admin, role=User.Role.OWNER)


def test_it_keeps_the_last_owner(tenant_a, owner):
    with schema_context(tenant_a.schema_name), pytest.raises(ValidationError):
        user_change_role(actor=owner, user=owner, role=User.Role.MEMBER)


def test_it_refuses_an_unknown_role(tenant_a, owner, member):
    with schema_context(tenant_a.schema_name), pytest.raises(ValidationError):
        user_change_role(actor=owner, user=member, role="emperor")
