"""The tenant admin opens on a dashboard: people, conversations this week, providers, recent mistakes."""

from __future__ import annotations

import pytest

from accounts.models import User

SECRET = "sk-dash-SECRET-0000987"


@pytest.fixture(autouse=True)
def _uncached_counts(settings):
    settings.ADMIN_DASHBOARD_CACHE_SECONDS = 0  # each test's rows are rolled back: read them live


def _seed_a(owner, member):
    from chat.models import Conversation, Message

    conv = Conversation.objects.create(user=member, title="Trip to Bled")
    Message.objects.create(conversation=conv, role=Message.Role.USER, content="How far is Bled?")
    Message.objects.create(
        conversation=conv, role=Message.Role.ASSISTANT, content="About 50 km.", is_mistake=True,
        mistake_note="It is 55 km from Ljubljana", model_name="openai:gpt-4o",
    )  # fmt: skip
    Conversation.objects.create(user=owner, title="Budget")
    return conv


def test_it_shows_the_owner_the_workspace_figures(owner_client, owner, member, tenant_a, in_tenant, credential):
    with in_tenant(tenant_a):
        _seed_a(owner, member)
        credential("openai", key=SECRET, models=["gpt-4o"])
    response = owner_client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    figures = response.context["dashboard"]
    assert figures.people["total"] == 2 and figures.people["admins"] == 1
    assert figures.conversations["active"] == 2 and figures.conversations["people"] == 2
    assert figures.mistakes_total == 1
    assert "It is 55 km from Ljubljana" in html and "Trip to Bled" in html
    assert [p.provider for p in figures.providers] == ["openai"]
    assert "sk-…987" in html and SECRET not in html
    assert 'data-figure="people"' in html and "Recent mistakes" in html


def test_it_says_no_model_is_connected_when_there_is_no_key(owner_client):
    html = owner_client.get("/admin/").content.decode()
    assert "No model connected" in html
    assert "/admin/orchestration/providercredential/add/" in html


def test_it_answers_members_with_the_403_page(member_client, owner, member, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        _seed_a(owner, member)
    response = member_client.get("/admin/")
    assert response.status_code == 403
    assert "It is 55 km from Ljubljana" not in response.content.decode()


def test_it_shows_tenant_b_only_its_own_figures(tenant_client, tenant_a, tenant_b, owner, member, in_tenant, outsider):
    with in_tenant(tenant_a):
        _seed_a(owner, member)
    with in_tenant(tenant_b):
        User.objects.filter(pk=outsider.pk).update(role=User.Role.OWNER, is_staff=True)
        outsider.refresh_from_db()
    response = tenant_client(tenant_b, outsider).get("/admin/")
    assert response.status_code == 200
    figures = response.context["dashboard"]
    assert figures.people["total"] == 1 and figures.conversations["active"] == 0 and figures.mistakes_total == 0
    html = response.content.decode()
    assert "Trip to Bled" not in html and "55 km" not in html


def test_it_shows_times_in_the_admins_time_zone(owner_client, owner, member, tenant_a, in_tenant):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from chat.models import Message

    with in_tenant(tenant_a):
        _seed_a(owner, member)
        User.objects.filter(pk=owner.pk).update(timezone="Asia/Tokyo")
        Message.objects.filter(is_mistake=True).update(updated_at=datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("UTC")))
    html = owner_client.get("/admin/").content.decode()
    assert "Asia/Tokyo" in html
    assert "03/02/2026 8:30 a.m." in html  # 23:30 UTC on 1 March is 08:30 on 2 March in Tokyo
