"""An image sent with a question in the composer goes, with the question, to a model that
accepts images (end to end: composer upload -> send -> generation task -> OpenAI SDK -> the fake
server), and as a note "[image: name, W×H]" to one that does not."""

from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Message
from chat.services import conversation_create
from chat.tasks import generate_answer
from documents.tests.helpers import image_bytes


def _ask_with_image(owner_client, owner, tenant_a, in_tenant, png, capture, model=""):
    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    body = owner_client.post(f"/chat/{conversation.pk}/files/", {"files": [SimpleUploadedFile("chart.png", png)]},
                             HTTP_ACCEPT="application/json").json()  # fmt: skip
    with capture() as sent:  # the answer's task goes out once the question and its files are committed
        question = {"content": "What does the chart show?", "documents": [body["results"][0]["id"]], "model": model}
        owner_client.post(f"/chat/{conversation.pk}/messages/", question)
    assert sent, "the answer's task was sent on commit"
    with in_tenant(tenant_a):
        answer = Message.objects.get(conversation=conversation, role="assistant")
        assert generate_answer(str(answer.pk)) == "complete"
        answer.refresh_from_db()
    return answer


def test_it_sends_the_image_to_a_model_that_accepts_images(
    owner_client, owner, tenant_a, in_tenant, media, fake_llm, credential, django_capture_on_commit_callbacks
):
    png = image_bytes("PNG", (90, 60))
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o"])
    fake_llm.behave(text="Sales went up.")
    answer = _ask_with_image(owner_client, owner, tenant_a, in_tenant, png, django_capture_on_commit_callbacks)
    assert answer.content == "Sales went up."
    (request,) = fake_llm.requests_for(path="/chat/completions")
    assert request.images == [{"mime_type": "image/png", "data": png}]
    assert "What does the chart show?" in request.text() and "[image:" not in request.text()


def test_it_notes_the_image_for_a_model_without_image_input(
    owner_client, owner, tenant_a, in_tenant, media, fake_llm, credential, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        credential("openai", models=["o3-mini", "gpt-4o"])
    fake_llm.behave(text="I cannot see images.")
    _ask_with_image(owner_client, owner, tenant_a, in_tenant, image_bytes("PNG", (90, 60)),
                    django_capture_on_commit_callbacks, model="openai:o3-mini")  # fmt: skip
    (request,) = fake_llm.requests_for(path="/chat/completions")
    assert request.model == "o3-mini"
    assert request.images == []
    assert "[image: chart.png, 90×60]" in request.text()


def test_an_image_whose_file_is_gone_becomes_a_note_and_the_answer_goes_on(
    owner_client, owner, tenant_a, in_tenant, media, fake_llm, credential, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o"])
    fake_llm.behave(text="No picture arrived.")
    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    png = image_bytes("PNG", (30, 20))
    body = owner_client.post(f"/chat/{conversation.pk}/files/", {"files": [SimpleUploadedFile("lost.png", png)]},
                             HTTP_ACCEPT="application/json").json()  # fmt: skip
    for stored in media.rglob("*.png"):
        stored.unlink()  # the disk lost it after the upload
    owner_client.post(f"/chat/{conversation.pk}/messages/",
                      {"content": "See?", "documents": [body["results"][0]["id"]]})  # fmt: skip
    with in_tenant(tenant_a):
        answer = Message.objects.get(conversation=conversation, role="assistant")
        assert generate_answer(str(answer.pk)) == "complete"
    (request,) = fake_llm.requests_for(path="/chat/completions")
    assert request.images == [] and "[image: lost.png, 30×20]" in request.text()
