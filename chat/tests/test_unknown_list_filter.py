"""``/chat/?filter=bogus`` shows the active conversations with a message instead of a blank 400;
a broken cursor gets a styled 400 page (issue 11 §10)."""

from chat.tests.factories import make_conversation


def test_it_shows_the_active_list_and_says_the_filter_is_unknown(member_client, member, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(member, title="Budget review")
    response = member_client.get("/chat/?filter=bogus")
    assert response.status_code == 200
    html = response.content.decode()
    assert "That list does not exist; here are your active conversations." in html
    assert "Budget review" in html


def test_it_answers_a_broken_address_with_a_styled_400(member_client):
    response = member_client.get("/chat/?deleted=not-a-uuid")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-error="400"' in html and 'class="topbar"' in html
    assert "This list address is not valid." in html


def test_it_shows_the_outsider_none_of_tenant_a(outsider_client, member, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        make_conversation(member, title="Budget review")
    response = outsider_client.get("/chat/?filter=bogus")
    assert response.status_code == 200 and "Budget review" not in response.content.decode()
