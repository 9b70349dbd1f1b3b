"""Rename, star, archive/unarchive, delete with undo; owner only."""

from chat.models import Conversation
from chat.tests.factories import make_conversation


def test_it_renames_stars_and_archives(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Old title")
    url = f"/chat/{conversation.pk}/"
    assert owner_client.post(url + "rename/", {"title": "  New   title "}).status_code == 302
    owner_client.post(url + "star/", {"on": "1"})
    owner_client.post(url + "archive/", {"on": "1"})
    with in_tenant(tenant_a):
        conversation.refresh_from_db()
        assert conversation.title == "New title" and conversation.title_is_custom
        assert conversation.is_starred and conversation.archived_at is not None
    owner_client.post(url + "star/", {})
    owner_client.post(url + "archive/", {})
    with in_tenant(tenant_a):
        conversation.refresh_from_db()
        assert not conversation.is_starred and conversation.archived_at is None


def test_it_deletes_softly_and_undoes(owner_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Oops")
    response = owner_client.post(f"/chat/{conversation.pk}/delete/")
    assert response["Location"] == f"/chat/?deleted={conversation.pk}"
    assert owner_client.get(f"/chat/{conversation.pk}/").status_code == 404
    page = owner_client.get(response["Location"]).content.decode()
    assert "“Oops” was deleted." in page and f"/chat/{conversation.pk}/restore/" in page
    owner_client.post(f"/chat/{conversation.pk}/restore/")
    assert owner_client.get(f"/chat/{conversation.pk}/").status_code == 200


def test_it_answers_404_to_others_and_changes_nothing(member_client, outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = make_conversation(owner, title="Mine")
    for client in (member_client, outsider_client):
        for action, data in (
            ("rename", {"title": "Theirs"}),
            ("star", {"on": "1"}),
            ("archive", {"on": "1"}),
            ("delete", {}),
            ("restore", {}),
        ):
            assert client.post(f"/chat/{conversation.pk}/{action}/", data).status_code == 404
        assert client.get(f"/chat/{conversation.pk}/export/").status_code == 404
    with in_tenant(tenant_a):
        fresh = Conversation.objects.get(pk=conversation.pk)
    assert (fresh.title, fresh.is_starred, fresh.archived_at, fresh.deleted_at) == ("Mine", False, None, None)
