"""The conversation page reads its conversation row and the composer's documents check in one
statement (chat.selectors.conversation_page_get), without the ORM's query building, and still
shows only the owner's own conversation and the documents strategy only to a user with documents."""

from chat.tests.factories import make_conversation
from documents.models import Document


def _statements(captured, table):
    return [q["sql"] for q in captured if table in q["sql"]]


def test_it_reads_the_row_and_the_documents_check_in_one_statement(
    owner_client, member_client, outsider_client, tenant_a, owner, member, in_tenant,
    django_assert_max_num_queries,
):  # fmt: skip
    with in_tenant(tenant_a):
        mine = make_conversation(owner, title="Row test", turns=2)
        theirs = make_conversation(member, title="Theirs")
    owner_client.get(f"/chat/{mine.pk}/")
    with django_assert_max_num_queries(20) as page:
        html = owner_client.get(f"/chat/{mine.pk}/").content.decode()
    row = _statements(page.captured_queries, '"chat_conversation"')
    assert len(row) == 1 and "EXISTS" in row[0]  # the row, with the documents check folded in
    checks = [q["sql"] for q in page.captured_queries if '"accounts_user"' in q["sql"] and "EXISTS" in q["sql"]]
    assert checks == row  # no separate documents check
    assert 'id="chat-title" data-action="rename" title="Rename">Row test</h1>' in html
    assert 'value="rag_enhanced"' not in html  # no documents yet: not offered
    with in_tenant(tenant_a):
        Document.objects.create(owner=owner, original_filename="handbook.pdf", mime_type="application/pdf",
                                content_hash="r" * 64, status="ready")  # fmt: skip
    # (a document without passages is not enough: the check is the composer's own, unchanged)
    assert owner_client.get(f"/chat/{mine.pk}/").status_code == 200
    # the owner's own only: another member's conversation and another tenant's user get 404
    assert member_client.get(f"/chat/{mine.pk}/").status_code == 404
    assert owner_client.get(f"/chat/{theirs.pk}/").status_code == 404
    assert outsider_client.get(f"/chat/{mine.pk}/").status_code == 404


def test_it_hides_a_deleted_conversation_and_keeps_the_settings(owner_client, tenant_a, owner, in_tenant):
    from django.utils import timezone

    from chat.models import Conversation

    with in_tenant(tenant_a):
        kept = make_conversation(owner, title="Kept")
        chosen = {"strategy": "single_provider", "model": "offline:offline"}
        Conversation.objects.filter(pk=kept.pk).update(settings=chosen)
        gone = make_conversation(owner, title="Gone")
        Conversation.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    html = owner_client.get(f"/chat/{kept.pk}/").content.decode()
    assert '<option value="offline:offline" selected>' in html  # the JSON settings, read from the plain row
    assert owner_client.get(f"/chat/{gone.pk}/").status_code == 404
