"""The chat speaks Slovenian to Slovenian users."""

from accounts.models import User
from chat.tests.factories import make_conversation


def test_it_shows_the_conversation_page_in_slovenian(slovenian_catalog, owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        User.objects.filter(pk=owner.pk).update(language="sl")
        conversation = make_conversation(owner)
    body = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert "Pošlji" in body and "Odgovorite …" in body and "Izvozi kot JSON" in body
    assert "Razmi\\u0161ljam" in body  # strings for chat.js, through json_script (JSON-escaped)
    assert "Send" not in body.split('id="composer"')[1]


def test_it_pluralises_search_results_in_slovenian(slovenian_catalog, owner_client, tenant_a, owner, in_tenant):
    from chat.services import conversation_start, message_finalize

    with in_tenant(tenant_a):
        User.objects.filter(pk=owner.pk).update(language="sl")
        for question in ("knjižnica in knjige", "mestna knjižnica"):
            answer = conversation_start(user=owner, content=question).messages.get(role="assistant")
            message_finalize(message_id=answer.pk, status="complete", content="Da.")  # indexes the pair
    body = owner_client.get("/chat/search/", {"q": "knjižnica"}).content.decode()
    assert "2 zadetka" in body


def test_it_generates_the_answer_in_the_owners_language(
    tenant_a, member, in_tenant, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from accounts.models import User
    from chat.models import Message
    from chat.services import conversation_start
    from chat.tasks import generate_answer
    from orchestration import engine

    with in_tenant(tenant_a):
        User.objects.filter(pk=member.pk).update(language="sl")
        member.refresh_from_db()
        conversation = conversation_start(user=member, content="Pozdravljen")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        with translation.override("en"):  # whatever the worker's own language is
            assert generate_answer(str(answer.pk)) == "complete"
        answer.refresh_from_db()
    with translation.override("sl"):
        notice = translation.gettext(engine.OFFLINE_NOTICE)
    assert notice != "I am running offline: no language model provider is configured for this workspace."
    assert answer.content.startswith(notice)
