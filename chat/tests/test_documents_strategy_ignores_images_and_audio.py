"""Images and audio attached in a conversation are ready documents with no passages: a user whose only
files are those is not offered answering from documents (it would find nothing); one text document
is enough to offer it again (brief s6 B, item 2.1)."""

import pytest

from documents.models import Document
from documents.tests.helpers import image_bytes, wav_bytes


def strategies(response) -> str:
    html = response.content.decode()
    start = html.index('name="strategy"')
    return html[start : html.index("</select>", start)]


@pytest.fixture
def upload(settings, tmp_path, in_tenant):
    """Store and process one file as documents' own tests do (its media under this test's folder)."""
    from documents import services

    settings.MEDIA_ROOT = str(tmp_path / "media")

    def make(tenant, user, name, data, **kw):
        with in_tenant(tenant):
            doc = services.document_upload(owner=user, name=name, data=data, **kw).document
            services.document_process(document_id=doc.pk)
            doc.refresh_from_db()
            return doc

    return make


@pytest.fixture(autouse=True)
def documents_strategy_on(tenant_a, owner, in_tenant):
    from orchestration.models import STRATEGIES
    from orchestration.services import settings_update

    with in_tenant(tenant_a):
        settings_update(user=owner, strategies_enabled=dict.fromkeys(STRATEGIES, True), default_strategy="rag_enhanced")


def test_it_hides_the_documents_strategy_when_only_images_and_audio_are_ready(
    member_client, member, tenant_a, in_tenant, upload
):
    photo = upload(tenant_a, member, "photo.png", image_bytes(), scope="conversation")
    sound = upload(tenant_a, member, "note.wav", wav_bytes(), scope="conversation")
    assert (photo.status, sound.status) == ("ready", "ready")
    options = strategies(member_client.get("/chat/"))
    assert 'value="rag_enhanced"' not in options
    assert 'value="single_provider" selected' in options


def test_it_offers_it_again_once_a_text_document_is_ready(member_client, member, tenant_a, in_tenant, upload):
    upload(tenant_a, member, "photo.png", image_bytes(), scope="conversation")
    with in_tenant(tenant_a):
        Document.objects.create(owner=member, original_filename="handbook.pdf", mime_type="application/pdf",
                                content_hash="h" * 64, status="ready")  # fmt: skip
    assert 'value="rag_enhanced" selected' in strategies(member_client.get("/chat/"))


def test_it_ignores_the_outsiders_documents(member_client, outsider, tenant_b, in_tenant, upload, member, tenant_a):
    upload(tenant_a, member, "photo.png", image_bytes(), scope="conversation")
    with in_tenant(tenant_b):
        Document.objects.create(owner=outsider, original_filename="b.pdf", mime_type="application/pdf",
                                content_hash="b" * 64, status="ready")  # fmt: skip
    assert 'value="rag_enhanced"' not in strategies(member_client.get("/chat/"))
