"""An imported file is untrusted: meta_data that the pages read must have the right shape, or nothing is imported."""

import json

import pytest

from chat.models import Message
from chat.services import conversation_start, conversations_export, conversations_import
from chat.tasks import generate_answer
from chat.tests.factories import make_conversation


def _file(message_meta=None, conversation_meta=None, settings=None):
    conversation = {
        "title": "Imported",
        "messages": [
            {"id": "q", "role": "user", "content": "hi"},
            {"id": "a", "parent_id": "q", "role": "assistant", "content": "hello", "meta_data": message_meta or {}},
        ],
    }
    if conversation_meta is not None:
        conversation["meta_data"] = conversation_meta
    if settings is not None:
        conversation["settings"] = settings
    return json.dumps({"format": "chorus.chat", "version": 1, "conversations": [conversation]}).encode()


BAD = [
    ({"orchestration": "not a dict"}, None, None, "orchestration"),
    ({"orchestration": {"providers_used": "openai"}}, None, None, "providers_used"),
    ({"orchestration": {"budget": "x"}}, None, None, "budget"),
    ({"orchestration": {"sources_included": ["https://x.example/"]}}, None, None, "sources_included"),
    ({"tokens_used": ["a"]}, None, None, "tokens_used"),
    ({"cost_breakdown": {"per_provider": {"openai": "lots"}}}, None, None, "per_provider"),
    ({}, {"providers_used": 5}, None, "providers_used"),
    ({}, {"cost_breakdown": {"total_cost": "free"}}, None, "total_cost"),
    ({}, None, {"strategy": {"x": 1}}, "strategy"),
]


@pytest.mark.parametrize("message_meta,conversation_meta,settings,where", BAD)
def test_it_refuses_meta_data_of_the_wrong_shape(
    owner_client, tenant_a, in_tenant, counts, message_meta, conversation_meta, settings, where
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = counts(tenant_a)
    raw = _file(message_meta, conversation_meta, settings)
    response = owner_client.post("/chat/import/", {"file": SimpleUploadedFile("x.json", raw)}, follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in text and where in text
    assert counts(tenant_a) == before


def test_it_imports_a_real_answer_with_its_details(fake_llm, owner_client, tenant_a, owner, member, in_tenant):
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="What is the capital of Slovenia?")
        generate_answer(str(Message.objects.get(conversation=conversation, role="assistant").pk))
        exported = conversations_export(user=owner)
        (copy,) = conversations_import(user=member, raw=json.dumps(exported, default=str))
        original = conversation.messages.get(role="assistant")
        imported = copy.messages.get(role="assistant")
        assert imported.meta_data == json.loads(json.dumps(original.meta_data, default=str))
        conversation.refresh_from_db()
        assert copy.meta_data == json.loads(json.dumps(conversation.meta_data, default=str))


def test_it_keeps_keys_it_does_not_know(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        (copy,) = conversations_import(user=owner, raw=_file({"custom": {"a": [1, 2]}, "platform_usage": {"used": 1}}))
        assert copy.messages.get(role="assistant").meta_data == {"custom": {"a": [1, 2]}, "platform_usage": {"used": 1}}


def test_it_shows_a_page_whatever_the_stored_meta_data(owner_client, tenant_a, owner, in_tenant):
    """Rows written before the import was validated still render: the details panel type-checks."""
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=1)
        Message.objects.filter(pk=conversation.current_leaf_id).update(
            meta_data={
                "orchestration": {
                    "budget": "x",
                    "consensus": [1],
                    "adaptive": "y",
                    "phase_details": ["a"],
                    "sources_included": "z",
                    "providers_used": 3,
                    "confidence_score": "high",
                },
                "tokens_used": [1],
                "cost_breakdown": "none",
            }
        )
    response = owner_client.get(f"/chat/{conversation.pk}/")
    assert response.status_code == 200
    assert "Answer 0" in response.content.decode()


def test_it_imports_nothing_for_the_outsider_into_tenant_a(outsider_client, tenant_a, counts):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = counts(tenant_a)
    outsider_client.post("/chat/import/", {"file": SimpleUploadedFile("x.json", _file())})
    assert counts(tenant_a) == before
