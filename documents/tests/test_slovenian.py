"""The documents pages and their errors speak Slovenian to Slovenian users."""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User


def test_the_library_and_its_errors_are_in_slovenian(
    documents_catalog, member_client, member, tenant_a, in_tenant, media
):
    with in_tenant(tenant_a):
        User.objects.filter(pk=member.pk).update(language="sl")
    body = member_client.get("/documents/").content.decode()
    assert "Dokumenti" in body and "Spustite datoteke sem ali jih izberite" in body
    response = member_client.post("/documents/upload/", {"files": [SimpleUploadedFile("prazno.txt", b"")]})
    assert "Datoteka je prazna." in response.content.decode()
