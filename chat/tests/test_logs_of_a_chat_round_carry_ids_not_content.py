"""A whole chat round (the browser asks, uvicorn serves, the Celery worker generates against the fake
provider with a known platform key, the answer streams back) logs JSON lines that carry the request
id, the tenant schema, the user id and the task id, and never the question, the answer or the key."""

import io
import json
import logging
import uuid

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import User
from chat.tests.browser import answer_like_a_provider
from config.logging import json_handler

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ANSWER_TEXT = "Zebra-violet answer words nobody else writes"


def test_it_logs_ids_and_never_the_message_text_or_the_provider_key(chat_page, chat_live, fake_llm, settings):
    answer_like_a_provider(fake_llm, text=ANSWER_TEXT)
    key = settings.PERPLEXITY_API_KEY
    assert key  # the platform key the worker sends to the fake provider
    question = f"Marmalade-quokka question {uuid.uuid4().hex[:8]}"
    rid = f"round-{uuid.uuid4()}"
    page = chat_page
    page.set_extra_http_headers({"X-Request-ID": rid})
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        page.goto(page.base_url + "/chat/")
        box = page.locator("#composer textarea[name=content]")
        box.fill(question)
        box.press("Enter")
        page.wait_for_url("**/chat/*-*/")
        answer = page.locator('.msg[data-role="assistant"]').last
        expect(answer).to_have_attribute("data-status", "complete", timeout=20_000)
        expect(answer.locator(".msg-body, .stream-text").first).to_contain_text("Zebra-violet")
    finally:
        root.removeHandler(handler)
    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert question not in text and "Marmalade" not in text
    assert "Zebra-violet" not in text
    assert key not in text
    schema = chat_live.tenant.schema_name
    requests = [x for x in lines if x["logger"] == "chorus.request" and x["request_id"] == rid]
    assert requests, "no request line carried the proxy's request id"
    assert {x["tenant"] for x in requests} == {schema}
    with schema_context(schema):
        owner_id = str(User.objects.get(email=chat_live.user_email).pk)
    assert owner_id in {x["user_id"] for x in requests}
    tasks = [x for x in lines if x["logger"] == "chorus.task" and x["task"] == "chat.tasks.generate_answer"]
    assert tasks, "no log line of the worker's task"
    assert all(x["task_id"] and x["tenant"] == schema for x in tasks)
