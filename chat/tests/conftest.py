import pytest

from chat.models import Conversation, Message


@pytest.fixture
def counts(in_tenant):
    """``counts(tenant)``: (conversations, messages) in that tenant, to assert nothing changed."""

    def count(tenant):
        with in_tenant(tenant):
            return Conversation.objects.count(), Message.objects.count()

    return count
