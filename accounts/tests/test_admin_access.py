"""/admin/ on a tenant host is that tenant's admin: admins and owners in, members out."""

from accounts.models import User
from conftest import PASSWORD


def test_it_refuses_the_admin_to_a_signed_in_member(member_client):
    response = member_client.get("/admin/")
    assert response.status_code == 403
    assert b"Admins only" in response.content


def test_it_refuses_the_admin_login_to_a_member(tenant_client, tenant_a):
    client = tenant_client(tenant_a)
    response = client.post("/admin/login/?next=/admin/", {"username": "member@a.example", "password": PASSWORD})
    assert response.status_code == 200  # the login form again
    assert client.get("/admin/").status_code == 302


def test_it_sends_anonymous_visitors_to_the_admin_login(tenant_client, tenant_a):
    response = tenant_client(tenant_a).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_it_lets_the_owner_in(owner_client):
    response = owner_client.get("/admin/")
    assert response.status_code == 200
    assert b"/admin/accounts/user/" in response.content


def test_it_does_not_show_operator_models_to_tenant_admins(owner_client):
    response = owner_client.get("/admin/")
    assert b"/admin/tenants/tenant/" not in response.content
    assert owner_client.get("/admin/tenants/tenant/").status_code == 403


def test_it_lets_the_owner_change_a_members_role(owner_client, member, in_tenant, tenant_a):
    response = owner_client.post(
        f"/admin/accounts/user/{member.pk}/change/",
        {
            "email": member.email,
            "name": member.name,
            "role": "admin",
            "is_active": "on",
            "language": "en",
            "timezone": "UTC",
            "email_notifications": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    with in_tenant(tenant_a):
        member.refresh_from_db()
    assert member.role == User.Role.ADMIN
    assert member.is_staff is True
