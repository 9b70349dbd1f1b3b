"""A rag_enhanced answer in a conversation with an uploaded file cites it, and the passage reached
the provider's prompt (the fake OpenAI server records it)."""

from chat.models import Message
from chat.services import conversation_create, message_send
from chat.tasks import generate_answer
from documents.tests.helpers import FILLER, PLANTED_EN, pdf_bytes


def test_the_answer_cites_the_planted_file_and_page(
    fake_llm, tenant_a, owner, in_tenant, upload, django_capture_on_commit_callbacks, owner_client
):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text="It lasts 36 months [1].")
    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner, strategy="rag_enhanced")
    upload(tenant_a, owner, "warranty.pdf", pdf_bytes([FILLER * 5, PLANTED_EN]), conversation_id=conversation.pk,
           scope="conversation")  # fmt: skip
    with in_tenant(tenant_a):
        _q, answer = message_send(
            conversation_id=conversation.pk, user=owner, content="How long is the drill warranty?"
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(answer.pk)) == "complete"
        answer = Message.objects.get(pk=answer.pk)
    prompt = fake_llm.requests_for(model="gpt-4o")[-1].body["messages"][0]["content"]
    assert "Zephyr X200 cordless drill" in prompt and "warranty.pdf, page 2" in prompt
    sources = answer.meta_data["orchestration"]["sources_included"]
    assert sources[0]["kind"] == "document" and sources[0]["title"] == "warranty.pdf" and sources[0]["page"] == 2
    assert answer.context_documents[0]["title"] == "warranty.pdf"
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'data-source-kind="document"' in page and "warranty.pdf" in page
    viewer = owner_client.get(sources[0]["url"])
    assert viewer.status_code == 200 and '<mark id="passage"' in viewer.content.decode()


def test_a_single_provider_question_draws_on_the_conversations_documents(
    fake_llm, tenant_a, owner, in_tenant, upload, django_capture_on_commit_callbacks
):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", text="36 months.")
    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    upload(tenant_a, owner, "w.txt", PLANTED_EN.encode(), conversation_id=conversation.pk, scope="conversation")
    with in_tenant(tenant_a):
        _q, answer = message_send(conversation_id=conversation.pk, user=owner, content="Zephyr warranty?")
        with django_capture_on_commit_callbacks(execute=True):
            generate_answer(str(answer.pk))
        answer = Message.objects.get(pk=answer.pk)
    assert answer.meta_data["orchestration"]["orchestration_strategy"] == "rag_enhanced"
    assert PLANTED_EN in fake_llm.requests_for(model="gpt-4o")[-1].body["messages"][0]["content"]
