from accounts.models import User
from privacy.models import AccountDeletion, DataExport
from privacy.tests.conftest import make_history

USERS = "/admin/accounts/user/"


def test_it_lets_tenant_admins_export_their_users_data(
    celery_eager, django_capture_on_commit_callbacks, in_tenant, tenant_a, member, owner_client
):
    with in_tenant(tenant_a):
        make_history(member, tenant_a, marker="MEMBER")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(USERS, {"action": "export_users_data", "_selected_action": [str(member.pk)]})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        export = DataExport.objects.get(user=member)
    assert export.status == DataExport.Status.READY
    page = owner_client.get("/admin/privacy/dataexport/").content.decode()
    link = page.split('href="/privacy/export/download/', 1)[1].split('"', 1)[0]
    download = owner_client.get(f"/privacy/export/download/{link}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_it_lets_tenant_admins_schedule_and_cancel_a_deletion(in_tenant, tenant_a, owner, member, owner_client):
    response = owner_client.post(
        USERS, {"action": "schedule_users_deletion", "_selected_action": [str(member.pk), str(owner.pk)]}
    )
    assert response.status_code == 302
    with in_tenant(tenant_a):
        deletion = AccountDeletion.objects.get()  # the member's; the owner is refused
        assert deletion.user_id == member.pk
    owner_client.post(
        "/admin/privacy/accountdeletion/", {"action": "cancel_deletions", "_selected_action": [str(deletion.pk)]}
    )
    with in_tenant(tenant_a):
        deletion.refresh_from_db()
        assert deletion.cancelled_at is not None
        assert User.objects.filter(pk=member.pk, is_active=True).exists()


def test_it_gives_members_and_outsiders_no_such_power(in_tenant, tenant_a, member, member_client, outsider_client):
    for client in (member_client, outsider_client):
        client.post(USERS, {"action": "schedule_users_deletion", "_selected_action": [str(member.pk)]})
        client.post(USERS, {"action": "export_users_data", "_selected_action": [str(member.pk)]})
    assert outsider_client.get("/admin/privacy/dataexport/").status_code in (302, 403, 404)
    assert member_client.get("/admin/privacy/accountdeletion/").status_code in (302, 403, 404)
    with in_tenant(tenant_a):
        assert not AccountDeletion.objects.exists() and not DataExport.objects.exists()
