import io
import json
import re
import zipfile

from django.urls import reverse

from privacy.models import DataExport
from privacy.tests.conftest import make_history


def _download_link(client, export_id) -> str:
    page = client.get(reverse("privacy_export_status", args=[export_id])).content.decode()
    return re.search(r'href="(/privacy/export/download/[^"]+)"', page).group(1)


def test_it_exports_a_users_data_as_a_zip(
    celery_eager,
    django_capture_on_commit_callbacks,
    in_tenant,
    tenant_a,
    tenant_b,
    owner,
    member,
    outsider,
    member_client,
    owner_client,
    outsider_client,
):
    with in_tenant(tenant_a):
        make_history(member, tenant_a, marker="MEMBER")
        make_history(owner, tenant_a, marker="OWNER")
    with in_tenant(tenant_b):
        make_history(outsider, tenant_b, marker="OUTSIDER")

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(reverse("privacy_export_start"))
    assert response.status_code == 302
    with in_tenant(tenant_a):
        export = DataExport.objects.get(user=member)
    assert export.status == DataExport.Status.READY and export.progress == 100

    page = member_client.get(reverse("accounts_preferences")).content.decode()
    assert "data-export-download" in page
    link = _download_link(member_client, export.pk)
    response = member_client.get(link)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert {"profile.json", "conversations.jsonl", "messages.jsonl", "documents.jsonl", "usage.csv"} <= names
        assert json.loads(zf.read("profile.json"))["email"] == member.email
        messages = [json.loads(line) for line in zf.read("messages.jsonl").splitlines()]
        assert sorted(m["content"] for m in messages) == [f"MEMBER message {i}" for i in range(4)]
        assert any(n.startswith("documents/") and zf.read(n) == b"document 0 of MEMBER" for n in names)
        assert any(n.startswith("attachments/") and zf.read(n) == b"attachment of MEMBER" for n in names)
        assert "42" in zf.read("usage.csv").decode()
        everything = b"".join(zf.read(n) for n in names)
    assert b"OWNER" not in everything and b"OUTSIDER" not in everything

    # Nobody else opens the link or the progress: another user of the workspace, nor the outsider.
    assert owner_client.get(link).status_code == 404
    assert outsider_client.get(link).status_code == 404
    assert outsider_client.get(reverse("privacy_export_status", args=[export.pk])).status_code == 404
    with in_tenant(tenant_b):
        assert not DataExport.objects.exists()


def test_it_shows_the_progress_while_the_export_is_built(in_tenant, tenant_a, member, member_client):
    response = member_client.post(reverse("privacy_export_start"), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'data-export-status="pending"' in page
    assert 'hx-trigger="every 2s"' in page and "<progress" in page
    with in_tenant(tenant_a):
        export = DataExport.objects.get(user=member)
        DataExport.objects.filter(pk=export.pk).update(status="running", progress=40)
    page = member_client.get(reverse("privacy_export_status", args=[export.pk])).content.decode()
    assert 'value="40"' in page


def test_it_refuses_an_expired_or_forged_link(
    celery_eager, django_capture_on_commit_callbacks, settings, in_tenant, tenant_a, member, member_client
):
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(reverse("privacy_export_start"))
    with in_tenant(tenant_a):
        export = DataExport.objects.get(user=member)
    link = _download_link(member_client, export.pk)
    forged = link[:-2] + ("A" if link[-2] != "A" else "B") + "/"
    assert member_client.get(forged).status_code == 410
    settings.PRIVACY_EXPORT_LINK_MAX_AGE = -1
    response = member_client.get(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
