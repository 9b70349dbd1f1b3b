"""A language chosen on the public host is kept on the workspace host (issue 11 §10): the switch
leaves it in a cookie on the parent domain, and the sign-in hand-off carries it too."""

from django.test import Client

from accounts.views_public import parent_cookie_domain


def test_it_starts_a_workspace_in_the_language_chosen_on_the_public_host(tenant_client, tenant_a):
    public = Client(HTTP_HOST="localhost")
    response = public.post("/i18n/setlang/", {"language": "sl", "next": "/"})
    assert response.status_code == 302
    shared = response.cookies["chorus_language"]
    assert shared.value == "sl"
    assert shared["domain"] == ""  # localhost: host-only, browsers refuse Domain=localhost
    assert response.cookies["django_language"].value == "sl"  # Django's own switch still works

    workspace = tenant_client(tenant_a)
    assert 'lang="en"' in workspace.get("/accounts/login/").content.decode()
    workspace.cookies["chorus_language"] = "sl"  # what the browser sends to a subdomain of its domain
    assert 'lang="sl"' in workspace.get("/accounts/login/").content.decode()
    workspace.cookies["django_language"] = "en"  # a choice made on the workspace host itself wins
    assert 'lang="en"' in workspace.get("/accounts/login/").content.decode()


def test_it_sets_the_shared_cookie_on_the_parent_domain(settings):
    settings.BASE_DOMAIN = "chorus.example"
    assert parent_cookie_domain() == "chorus.example"
    settings.BASE_DOMAIN = "chorus.example:8443"
    assert parent_cookie_domain() == "chorus.example"
    settings.BASE_DOMAIN = "localhost"
    assert parent_cookie_domain() is None


def test_it_ignores_an_unknown_language_in_the_shared_cookie(tenant_client, tenant_a):
    workspace = tenant_client(tenant_a)
    workspace.cookies["chorus_language"] = "xx"
    assert 'lang="en"' in workspace.get("/accounts/login/").content.decode()
