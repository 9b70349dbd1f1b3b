"""'Export all' is streamed, in the same number of queries for two conversations or twelve."""

import json

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from chat.services import message_edit
from chat.tests.factories import make_conversation
from chat.tests.helpers import async_client_for


def _queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/chat/export/", params)
        assert isinstance(response, StreamingHttpResponse)
        body = response.getvalue().decode()
    return len(ctx.captured_queries), body


@pytest.mark.parametrize("params", [{"format": "md"}, {}])
def test_it_exports_everything_in_a_constant_number_of_queries(owner_client, tenant_a, owner, in_tenant, params):
    with in_tenant(tenant_a):
        for i in range(2):
            make_conversation(owner, title=f"Chat {i}", turns=2)
    owner_client.get("/chat/")  # warm: host, session
    few, body = _queries(owner_client, params)
    assert "Chat 0" in body and "Chat 1" in body
    with in_tenant(tenant_a):
        for i in range(2, 12):
            make_conversation(owner, title=f"Chat {i}", turns=2)
    many, body = _queries(owner_client, params)
    assert "Chat 11" in body
    assert many == few


def test_it_exports_the_branch_on_screen_in_markdown(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Branches", turns=2)
        first = conversation.messages.filter(role="user").order_by("created_at").first()
        message_edit(message=first, user=owner, content="Edited first question")
        make_conversation(owner, title="Empty", turns=0)
    body = owner_client.get("/chat/export/", {"format": "md"}).getvalue().decode()
    branches = body.split("# Branches")[1].split("---")[0]
    assert "Edited first question" in branches and "Question 0" not in branches and "Answer 1" not in branches
    assert "# Empty" in body


def test_it_streams_valid_json_with_every_branch(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Branches", turns=1)
        message_edit(message=conversation.messages.get(role="user"), user=owner, content="Other")
        make_conversation(owner, title="Second", turns=1)
    data = json.loads(owner_client.get("/chat/export/").getvalue())
    assert data["format"] == "chorus.chat" and data["exported_at"]
    assert [(c["title"], len(c["messages"])) for c in data["conversations"]] == [("Branches", 4), ("Second", 2)]


def test_it_streams_under_asgi_in_the_tenants_schema(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(owner, title="Over ASGI", turns=1)
    client = async_client_for(tenant_a, owner)

    async def download():
        response = await client.get("/chat/export/", {"format": "md"})
        parts = [chunk async for chunk in response.streaming_content]
        return response, b"".join(parts).decode()

    response, body = async_to_sync(download)()
    assert response.status_code == 200 and response.is_async
    assert "# Over ASGI" in body and "Answer 0" in body


def test_it_exports_nothing_of_the_owners_to_the_outsider(outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(owner, title="Owner's secret")
    assert "Owner's secret" not in outsider_client.get("/chat/export/", {"format": "md"}).getvalue().decode()
    assert json.loads(outsider_client.get("/chat/export/").getvalue())["conversations"] == []
