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


def test_refused_images_and_audio_are_explained_in_slovenian(documents_catalog):
    import pytest
    from django.utils import translation

    from documents import validation
    from documents.errors import DocumentError
    from documents.tests.helpers import image_bytes, png_claiming, wav_bytes

    cases = [
        ("a.png", png_claiming(30000, 30000), "zavrnjena kot nevarna"),
        ("a.png", image_bytes("JPEG"), "njena vsebina pa je v zapisu JPEG"),
        ("a.png", b"text, not a picture", "ni slika PNG, JPEG, WebP ali GIF"),
        ("a.png", image_bytes("PNG", (300, 200))[:120], "Slika je poškodovana"),
        ("a.mp3", b"text, not a sound", "ni zvočni posnetek MP3"),
        ("a.wav", wav_bytes(0.5)[:30], "Zvočna datoteka je poškodovana"),
        ("a.exe", b"MZ\x90\x00", "sliko (PNG, JPEG, WebP, GIF) ali zvočni posnetek"),
    ]
    with translation.override("sl"):
        for name, data, words in cases:
            with pytest.raises(DocumentError) as exc:
                validation.check(name, data)
            assert words in exc.value.message
