"""The composer does not offer answering from documents before the user can read a ready
document (issue 11 §4: it found "0 passages"); once one is ready it is offered."""

import pytest

from documents.models import Document


def strategies(response) -> str:
    html = response.content.decode()
    start = html.index('name="strategy"')
    return html[start : html.index("</select>", start)]


@pytest.fixture(autouse=True)
def documents_strategy_on(tenant_a, owner, in_tenant):
    from orchestration.models import STRATEGIES
    from orchestration.services import settings_update

    with in_tenant(tenant_a):
        settings_update(user=owner, strategies_enabled=dict.fromkeys(STRATEGIES, True), default_strategy="rag_enhanced")


def test_it_hides_the_documents_strategy_without_documents(member_client):
    options = strategies(member_client.get("/chat/"))
    assert 'value="rag_enhanced"' not in options
    assert 'value="single_provider" selected' in options  # the default falls back to one that works


def test_it_offers_the_documents_strategy_once_a_document_is_ready(member_client, member, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        Document.objects.create(owner=member, original_filename="handbook.pdf", mime_type="application/pdf",
                                content_hash="h" * 64, status="processing")  # fmt: skip
    assert 'value="rag_enhanced"' not in strategies(member_client.get("/chat/"))
    with in_tenant(tenant_a):
        Document.objects.filter(owner=member).update(status="ready")
    assert 'value="rag_enhanced" selected' in strategies(member_client.get("/chat/"))


def test_it_does_not_count_another_tenants_documents(outsider_client, outsider, tenant_b, in_tenant, member_client,
                                                    member, tenant_a):  # fmt: skip
    with in_tenant(tenant_b):
        Document.objects.create(owner=outsider, original_filename="b.pdf", mime_type="application/pdf",
                                content_hash="b" * 64, status="ready")  # fmt: skip
    assert 'value="rag_enhanced"' not in strategies(member_client.get("/chat/"))
