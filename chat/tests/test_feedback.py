"""Thumbs up/down and "mark as mistake" with a note; only on answers; owner only."""

from chat.tests.factories import make_conversation


def test_it_rates_an_answer_and_clicking_again_clears_it(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        answer = make_conversation(owner).current_leaf
    response = owner_client.post(f"/chat/m/{answer.pk}/rate/", {"rating": "1"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="true"' in response.content.decode()
    with in_tenant(tenant_a):
        answer.refresh_from_db()
        assert answer.rating == 1
    owner_client.post(f"/chat/m/{answer.pk}/rate/", {"rating": "1"}, HTTP_HX_REQUEST="true")
    with in_tenant(tenant_a):
        answer.refresh_from_db()
        assert answer.rating is None


def test_it_marks_a_mistake_with_a_note_and_undoes_it(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        answer = make_conversation(owner).current_leaf
    response = owner_client.post(
        f"/chat/m/{answer.pk}/mistake/", {"is_mistake": "on", "note": "Wrong <b>date</b>"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Marked as mistake" in body and "Wrong &lt;b&gt;date&lt;/b&gt;" in body
    with in_tenant(tenant_a):
        answer.refresh_from_db()
        assert answer.is_mistake and answer.mistake_note == "Wrong <b>date</b>"
    owner_client.post(f"/chat/m/{answer.pk}/mistake/", {}, HTTP_HX_REQUEST="true")
    with in_tenant(tenant_a):
        answer.refresh_from_db()
        assert not answer.is_mistake and answer.mistake_note == ""


def test_it_refuses_feedback_on_a_user_message(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        question = make_conversation(owner).current_leaf.parent
    assert owner_client.post(f"/chat/m/{question.pk}/rate/", {"rating": "1"}).status_code == 400


def test_it_answers_404_to_others_and_changes_nothing(member_client, outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        answer = make_conversation(owner).current_leaf
    for client in (member_client, outsider_client):
        assert client.post(f"/chat/m/{answer.pk}/rate/", {"rating": "-1"}).status_code == 404
        assert client.post(f"/chat/m/{answer.pk}/mistake/", {"is_mistake": "on", "note": "x"}).status_code == 404
    with in_tenant(tenant_a):
        answer.refresh_from_db()
        assert answer.rating is None and not answer.is_mistake
