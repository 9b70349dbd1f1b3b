"""The tenant admin: read-only conversation browser, answers marked as mistakes, lifting suspensions."""

from datetime import timedelta

from django.utils import timezone

from chat.models import Violation
from chat.tests.factories import make_conversation


def test_it_browses_conversations_read_only(owner_client, tenant_a, member, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(member, title="Member's chat", turns=2)
    listing = owner_client.get("/admin/chat/conversation/?state=active")
    assert listing.status_code == 200 and "Member&#x27;s chat" in listing.content.decode()
    page = owner_client.get(f"/admin/chat/conversation/{conversation.pk}/change/")
    assert page.status_code == 200 and "Answer 1" in page.content.decode()
    assert owner_client.get("/admin/chat/conversation/add/").status_code == 403
    owner_client.post(f"/admin/chat/conversation/{conversation.pk}/delete/", {"post": "yes"})
    with in_tenant(tenant_a):
        conversation.refresh_from_db()


def test_it_lists_answers_marked_as_mistakes_with_notes(owner_client, tenant_a, member, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(member, turns=2)
        answer = conversation.current_leaf
        answer.is_mistake, answer.mistake_note = True, "Cites the wrong law"
        answer.save()
    body = owner_client.get("/admin/chat/mistakereport/").content.decode()
    assert "Cites the wrong law" in body and "Answer 1" in body and "Answer 0" not in body


def test_it_lifts_a_suspension(owner_client, tenant_a, owner, member, in_tenant):
    with in_tenant(tenant_a):
        violation = Violation.objects.create(
            user=member, level=2, reason="harassment", suspended_until=timezone.now() + timedelta(hours=1)
        )
    assert "suspended" in owner_client.get("/admin/chat/violation/").content.decode()
    response = owner_client.post("/admin/chat/violation/", {"action": "lift", "_selected_action": [str(violation.pk)]})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        violation.refresh_from_db()
    assert violation.lifted_at is not None and violation.lifted_by == owner


def test_it_keeps_members_out(member_client):
    assert member_client.get("/admin/chat/conversation/").status_code == 403
