"""A thread whose messages are all final is cached whole: a revisit reads it in one cache round trip
(not one MGET of every message), and an edit, a new answer, a rating or a branch switch shows at once."""

import re

from django.utils import translation

from chat.models import Message
from chat.services import message_edit, message_rate
from chat.tests.factories import make_conversation
from chat.tests.helpers import recording_redis


def _thread(page: str) -> str:
    html = page.split('id="thread"')[1].split("data-composer")[0]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)


def test_it_reads_a_revisited_thread_in_one_round_trip(owner_client, tenant_a, owner, in_tenant, monkeypatch):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=4)
    first = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    sent = recording_redis(monkeypatch)
    again = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    reads = [args for args in sent if any(":chat:thread:" in str(a) or ":chat:msg:" in str(a) for a in args[1:])]
    assert [args[0] for args in reads] == ["GET"]  # the whole thread, none of its eight messages on its own
    assert _thread(again) == _thread(first) and "Answer 3" in again and "\x1f" not in again


def test_it_shows_an_edit_and_a_rating_at_once(owner_client, outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a), translation.override("en"):
        conversation = make_conversation(owner, turns=2)
        answer = conversation.current_leaf
    owner_client.get(f"/chat/{conversation.pk}/")
    with in_tenant(tenant_a):
        message_rate(message=Message.objects.get(pk=answer.pk), rating=-1)
    rated = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'aria-pressed="true" title="Bad answer"' in rated
    with in_tenant(tenant_a):
        question = Message.objects.get(pk=answer.parent_id)
        message_edit(message=question, user=owner, content="Question 1, asked again")
    edited = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert "Question 1, asked again" in edited and '<span class="sib-pos">2/2</span>' in edited
    assert outsider_client.get(f"/chat/{conversation.pk}/").status_code == 404
