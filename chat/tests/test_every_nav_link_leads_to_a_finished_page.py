"""Nothing is offered before it works (issue 11 §4): every link in the product's navigation, and
every model the tenant admin lists, leads to a finished page (200, in the product's layout), for
the owner and for a member; a member is offered no admin link."""

from html.parser import HTMLParser

import pytest


class Links(HTMLParser):
    """The hrefs inside one element (``<nav class="topnav">`` or the admin's app list)."""

    def __init__(self, tag: str, cls: str):
        super().__init__()
        self.tag, self.cls, self.depth, self.hrefs = tag, cls, 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += tag == self.tag
            if tag == "a" and attrs.get("href"):
                self.hrefs.append(attrs["href"])
        elif tag == self.tag and self.cls in (attrs.get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag == self.tag:
            self.depth -= 1


def links(html: str, tag: str, cls: str) -> list[str]:
    parser = Links(tag, cls)
    parser.feed(html)
    return list(dict.fromkeys(h for h in parser.hrefs if h.startswith("/")))


def assert_finished(client, href: str) -> str:
    response = client.get(href, follow=True)
    assert response.status_code == 200, href
    html = response.content.decode()
    if href.startswith("/admin/"):
        assert 'id="content"' in html and "chorus" in html.lower(), href  # the tenant admin's own layout
    else:
        assert 'class="topbar"' in html and '<nav class="topnav">' in html, href  # the product's layout
        assert 'class="footer"' in html, href
    return html


@pytest.mark.parametrize("who", ["owner", "member"])
def test_it_leads_every_nav_link_to_a_finished_page(request, who):
    client = request.getfixturevalue(f"{who}_client")
    nav = links(client.get("/chat/").content.decode(), "nav", "topnav")
    assert "/chat/" in nav and "/documents/" in nav
    assert ("/admin/" in nav) == (who == "owner")
    assert ("/billing/" in nav) == (who == "owner")
    for href in nav:
        assert_finished(client, href)


def test_it_leads_every_admin_model_to_a_finished_page(owner_client):
    index = assert_finished(owner_client, "/admin/")
    models = [h for h in links(index, "div", "app-list") or links(index, "div", "module") if h.count("/") >= 4]
    if not models:  # the dashboard keeps the app list in #content-main
        models = [h for h in links(index, "div", "colMS") + links(index, "div", "colM") if h.count("/") >= 4]
    assert any("/admin/orchestration/providercredential/" in h for h in models), models
    assert "/admin/chat/attachment/" not in models  # the same files as the Documents admin, nothing more
    for href in models:
        assert_finished(owner_client, href)


def test_it_gives_the_outsider_nothing_of_tenant_a(outsider_client):
    html = outsider_client.get("/chat/").content.decode()
    assert "/admin/" not in links(html, "nav", "topnav")  # a member of tenant B
    assert outsider_client.get("/admin/orchestration/providercredential/").status_code in (403, 404)
