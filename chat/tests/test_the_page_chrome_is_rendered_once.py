"""The static parts of the conversation page (head, header, nav, sidebar chrome, composer, footer)
are rendered once per process for what they show ({% chrome %}, chat/templatetags/chat_chrome.py):
what differs per request stays per request (CSRF token per session, CSP nonce per request, the
path), what differs per user or language shows as it should, and one user's never shows to another."""

import re

from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from accounts.models import User
from chat.models import Conversation
from chat.tests.factories import make_conversation
from conftest import host_of

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _page(client, conversation, query="") -> str:
    response = client.get(f"/chat/{conversation.pk}/{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "\x1f" not in html
    return html


def _csrf_client(tenant, user) -> Client:
    client = Client(HTTP_HOST=host_of(tenant), enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_it_keeps_the_csrf_token_per_session(tenant_a, owner, member, in_tenant):
    with in_tenant(tenant_a):
        mine = make_conversation(owner, title="Mine")
        theirs = make_conversation(member, title="Theirs")
        owner_client, member_client = _csrf_client(tenant_a, owner), _csrf_client(tenant_a, member)
    owner_page, member_page = _page(owner_client, mine), _page(member_client, theirs)
    owner_token, member_token = _TOKEN.findall(owner_page)[0], _TOKEN.findall(member_page)[0]
    secrets = {_unmask_cipher_token(t) for t in _TOKEN.findall(owner_page)}  # every form: the session's secret
    assert len(secrets) == 1 and secrets != {_unmask_cipher_token(member_token)}
    # another session's token is refused, the page's own accepted
    refused = member_client.post(f"/chat/{theirs.pk}/rename/", {"title": "Stolen", "csrfmiddlewaretoken": owner_token})
    assert refused.status_code == 403
    ok = member_client.post(f"/chat/{theirs.pk}/rename/", {"title": "Renamed", "csrfmiddlewaretoken": member_token})
    assert ok.status_code in (200, 302)
    with in_tenant(tenant_a):
        assert Conversation.objects.get(pk=theirs.pk).title == "Renamed"
    assert 'id="chat-title" data-action="rename" title="Rename">Renamed</h1>' in _page(member_client, theirs)


def test_it_gives_each_request_its_own_nonce(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner)
    nonces = []
    for _ in range(2):
        response = owner_client.get(f"/chat/{conversation.pk}/")
        nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_it_shows_each_user_their_own_nav_and_language(owner_client, member_client, outsider_client, tenant_a,
                                                        owner, member, in_tenant):  # fmt: skip
    with in_tenant(tenant_a):
        mine = make_conversation(owner, title="Mine")
        theirs = make_conversation(member, title="Theirs")
    owner_page = _page(owner_client, mine)
    assert 'href="/billing/"' in owner_page and 'title="owner@a.example"' in owner_page
    member_page = _page(member_client, theirs)  # after the owner's, in the same process
    assert 'href="/billing/"' not in member_page and 'title="member@a.example"' in member_page
    assert "owner@a.example" not in member_page and "Sign out" in member_page and ">Send</button>" in member_page
    with in_tenant(tenant_a):
        User.objects.filter(pk=member.pk).update(language="sl")
    slovenian = _page(member_client, theirs)
    assert "Odjava" in slovenian and ">Pošlji</button>" in slovenian and "Sign out" not in slovenian
    assert '<html lang="sl">' in slovenian and '<option value="sl" selected>' in slovenian
    assert outsider_client.get(f"/chat/{mine.pk}/").status_code == 404


def test_it_fills_the_path_and_follows_the_conversation(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        first = make_conversation(owner, title="First")
        second = make_conversation(owner, title="Second", starred=True)
    html = _page(owner_client, first, "?m=x&y=1")
    assert f'name="next" value="/chat/{first.pk}/?m=x&amp;y=1"' in html
    again = _page(owner_client, second)
    assert f'name="next" value="/chat/{second.pk}/"' in again
    assert f'action="/chat/{second.pk}/messages/"' in again and f'action="/chat/{first.pk}/messages/"' not in again
    assert ">Second</h1>" in again and 'aria-pressed="true"' in again
