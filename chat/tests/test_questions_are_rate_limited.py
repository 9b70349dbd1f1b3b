"""Questions (new conversation, send, edit, regenerate) pass per-user and per-tenant rate limits:
past a limit the answer is 429, nothing is stored, and the page says which limit and when to retry.

Found by trying it: 60 new conversations from one member in 2 s were all accepted, each an LLM call.
"""

import uuid

import pytest

from chat import admission
from chat.models import Message
from chat.tests.factories import make_conversation


@pytest.fixture(autouse=True)
def _own_windows(monkeypatch, unlimited_sessions):
    """Each test counts in windows of its own (the cast sends questions in many tests); the answers
    stay open (nothing generates them here), so the free plan's two concurrent sessions are lifted."""
    monkeypatch.setattr(admission, "NAMESPACE", f"test-{uuid.uuid4().hex}")


def _new(client, n: int, *, htmx: bool = True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return [client.post("/chat/new/", {"content": f"Question {i}"}, **headers) for i in range(n)]


def test_it_refuses_the_observed_burst_of_new_conversations_past_the_users_limit(
    member_client, tenant_a, member, in_tenant, counts, settings
):
    settings.QUESTIONS_PER_MINUTE_USER = 20  # the default of config/settings/base.py
    responses = _new(member_client, 20)
    assert {r.status_code for r in responses} == {204}  # htmx: HX-Redirect to the new conversation
    before = counts(tenant_a)
    refused = _new(member_client, 40)
    assert {r.status_code for r in refused} == {429}
    assert counts(tenant_a) == before  # nothing stored: no conversation, no message, no answer
    last = refused[-1]
    assert 1 <= int(last["Retry-After"]) <= 60
    assert last["HX-Retarget"] == "#composer-alert" and last["X-Chat-Problem"] == "429"
    body = last.content.decode()
    assert "at most 20 questions per minute" in body
    assert f"try again in {last['Retry-After']} second" in body


def test_it_shows_a_full_page_without_htmx(member_client, tenant_a, in_tenant, counts, settings):
    settings.QUESTIONS_PER_MINUTE_USER = 1
    assert _new(member_client, 1, htmx=False)[0].status_code == 302
    before = counts(tenant_a)
    response = _new(member_client, 1, htmx=False)[0]
    assert response.status_code == 429
    assert counts(tenant_a) == before
    body = response.content.decode()
    assert 'data-rate-limited="user"' in body and "at most 1 question per minute" in body
    assert response["Retry-After"] in body


def test_it_counts_sends_edits_and_regenerations(member_client, tenant_a, member, in_tenant, counts, settings):
    settings.QUESTIONS_PER_MINUTE_USER = 1
    with in_tenant(tenant_a):
        conversation = make_conversation(member, turns=1)
        answer = conversation.current_leaf
        question = answer.parent
    htmx = {"HTTP_HX_REQUEST": "true"}
    ok = member_client.post(f"/chat/{conversation.pk}/messages/", {"content": "First"}, **htmx)
    assert ok.status_code == 200
    with in_tenant(tenant_a):
        Message.objects.filter(conversation=conversation, status="pending").update(status="complete")
    before = counts(tenant_a)
    send = member_client.post(f"/chat/{conversation.pk}/messages/", {"content": "Second"}, **htmx)
    edit = member_client.post(f"/chat/m/{question.pk}/edit/", {"content": "Edited"}, **htmx)
    regenerate = member_client.post(f"/chat/m/{answer.pk}/regenerate/", **htmx)
    plain = member_client.post(f"/chat/m/{answer.pk}/regenerate/")
    assert [r.status_code for r in (send, edit, regenerate, plain)] == [429, 429, 429, 429]
    assert all("Retry-After" in r for r in (send, edit, regenerate, plain))
    assert counts(tenant_a) == before


def test_it_limits_each_user_apart(owner_client, member_client, tenant_a, settings):
    settings.QUESTIONS_PER_MINUTE_USER = 2
    assert [r.status_code for r in _new(member_client, 3)] == [204, 204, 429]
    assert [r.status_code for r in _new(owner_client, 2)] == [204, 204]


def test_it_limits_the_whole_workspace_with_the_platform_default(
    owner_client, member_client, outsider_client, tenant_a, tenant_b, counts, settings
):
    settings.QUESTIONS_PER_MINUTE_TENANT = 3
    assert [r.status_code for r in _new(owner_client, 2)] == [204, 204]
    assert [r.status_code for r in _new(member_client, 1)] == [204]
    before = counts(tenant_a)
    refused = _new(member_client, 1)[0]
    assert refused.status_code == 429 and counts(tenant_a) == before
    assert "Your workspace can ask at most 3 questions per minute" in refused.content.decode()
    # The outsider's workspace has a window of its own.
    assert [r.status_code for r in _new(outsider_client, 3)] == [204, 204, 204]


def test_a_workspace_limit_set_by_the_operator_wins_over_the_platform_default(member_client, tenant_a, settings):
    settings.QUESTIONS_PER_MINUTE_TENANT = 1000
    tenant_a.features = {**tenant_a.features, "questions_per_minute": 1}
    tenant_a.save()
    assert [r.status_code for r in _new(member_client, 2)] == [204, 429]


def test_a_refusal_by_the_users_own_limit_costs_the_workspace_nothing(owner_client, member_client, settings):
    settings.QUESTIONS_PER_MINUTE_USER = 1
    settings.QUESTIONS_PER_MINUTE_TENANT = 2
    assert [r.status_code for r in _new(member_client, 5)] == [204, 429, 429, 429, 429]
    assert [r.status_code for r in _new(owner_client, 1)] == [204]  # the workspace's second question


def test_it_says_it_in_the_users_language(member_client, tenant_a, member, in_tenant, settings, slovenian_catalog):
    from django.utils import translation

    from accounts.models import User

    settings.QUESTIONS_PER_MINUTE_USER = 2
    with in_tenant(tenant_a):
        User.objects.filter(pk=member.pk).update(language="sl")
    with translation.override("en"):  # the request activates Slovenian in this thread; undone after
        refused = _new(member_client, 3)[-1]
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "Na minuto lahko postavite največ 2 vprašanji." in body
    assert "Poskusite znova čez" in body
