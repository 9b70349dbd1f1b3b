"""The thread is read as plain rows (chat.selectors.ThreadRow): a revisit whose messages all come
from the cache builds no Message object, and a message whose fragment is missing is read whole."""

from chat.models import Message
from chat.services import message_rate
from chat.tests.factories import make_conversation


def _counting(monkeypatch) -> list:
    built: list = []
    real = Message.from_db.__func__

    def from_db(cls, db, field_names, values):
        built.append(values)
        return real(cls, db, field_names, values)

    monkeypatch.setattr(Message, "from_db", classmethod(from_db))
    return built


def test_it_builds_no_message_on_a_revisit(owner_client, outsider_client, tenant_a, owner, in_tenant, monkeypatch):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, turns=5)
        answer = conversation.current_leaf
    first = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    built = _counting(monkeypatch)
    again = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert built == [] and "Answer 4" in again and again.count('data-role="assistant"') == 5
    assert first.count('data-role="assistant"') == 5
    with in_tenant(tenant_a):
        message_rate(message=Message.objects.get(pk=answer.pk), rating=1)
    built.clear()
    rated = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert len(built) == 1 and 'aria-pressed="true" title="Good answer"' in rated  # only the rated one, whole
    assert outsider_client.get(f"/chat/{conversation.pk}/").status_code == 404
