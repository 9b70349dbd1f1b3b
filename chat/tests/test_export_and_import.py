"""Export one/all conversations as JSON and Markdown; import a JSON export back, all or nothing."""

import json

from chat.models import Conversation, Message
from chat.services import conversations_export, conversations_import, message_regenerate
from chat.tests.factories import make_conversation


def test_it_exports_a_conversation_as_json_with_every_branch(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Export me", turns=2, meta_data={"providers_used": ["offline"]})
        message_regenerate(message=conversation.current_leaf)
    response = owner_client.get(f"/chat/{conversation.pk}/export/")
    assert response["Content-Disposition"] == 'attachment; filename="export-me.json"'
    data = json.loads(response.getvalue())
    assert data["format"] == "chorus.chat" and data["version"] == 1
    (conv,) = data["conversations"]
    assert conv["title"] == "Export me" and conv["meta_data"] == {"providers_used": ["offline"]}
    assert len(conv["messages"]) == 5
    assert {"id", "parent_id", "role", "content", "meta_data", "prompt_tokens", "is_mistake"} <= set(
        conv["messages"][0]
    )


def test_it_exports_markdown(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Notes", turns=1)
    body = owner_client.get(f"/chat/{conversation.pk}/export/", {"format": "md"}).getvalue().decode()
    assert body.startswith("# Notes\n") and "**You**" in body and "Answer 0" in body


def test_it_exports_all_of_mine_and_nobody_elses(owner_client, tenant_a, owner, member, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(owner, title="One")
        make_conversation(owner, title="Two")
        make_conversation(member, title="Member's")
    data = json.loads(owner_client.get("/chat/export/").getvalue())
    assert sorted(c["title"] for c in data["conversations"]) == ["One", "Two"]
    md = owner_client.get("/chat/export/", {"format": "md"}).getvalue().decode()
    assert "# One" in md and "# Two" in md and "Member's" not in md


def test_it_imports_an_export_back(owner_client, tenant_a, owner, member, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Round trip", turns=3)
        message_regenerate(message=conversation.current_leaf)
        raw = json.dumps(conversations_export(user=owner))
        (copy,) = conversations_import(user=member, raw=raw)
        assert copy.pk != conversation.pk
        assert copy.message_count == 7 and copy.title == "Round trip"
        assert Message.objects.filter(conversation=copy, search_vector__isnull=False).count() == 7
        again = conversations_export(user=member)["conversations"][0]
    original = json.loads(raw)["conversations"][0]
    assert [m["content"] for m in again["messages"]] == [m["content"] for m in original["messages"]]


def test_it_imports_through_the_page(owner_client, tenant_a, owner, in_tenant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with in_tenant(tenant_a):
        raw = json.dumps(conversations_export(user=owner, conversations=[make_conversation(owner, title="Uploaded")]))
    response = owner_client.post("/chat/import/", {"file": SimpleUploadedFile("chats.json", raw.encode())})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert Conversation.objects.filter(user=owner, title="Uploaded").count() == 2


def test_it_refuses_bad_input_and_imports_nothing(owner_client, tenant_a, owner, in_tenant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with in_tenant(tenant_a):
        good = conversations_export(user=owner, conversations=[make_conversation(owner, title="Good")])
        before = Conversation.objects.count(), Message.objects.count()
    broken = json.loads(json.dumps(good))
    broken["conversations"].append(
        {"title": "Bad", "messages": [{"id": "x", "parent_id": "missing", "role": "user", "content": "hi"}]}
    )
    for raw, expected in (
        (b"not json", "not valid JSON"),
        (json.dumps({"format": "other"}).encode(), "not a Chorus chat export"),
        (json.dumps(broken).encode(), "unknown parent"),
    ):
        response = owner_client.post("/chat/import/", {"file": SimpleUploadedFile("x.json", raw)}, follow=True)
        assert expected in response.content.decode()
        assert "Nothing was imported" in response.content.decode()
    with in_tenant(tenant_a):
        assert (Conversation.objects.count(), Message.objects.count()) == before


def test_it_answers_404_to_others_exporting(member_client, outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    assert member_client.get(f"/chat/{conversation.pk}/export/").status_code == 404
    assert outsider_client.get(f"/chat/{conversation.pk}/export/", {"format": "md"}).status_code == 404
