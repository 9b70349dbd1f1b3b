"""Every page names the product's icon, and the icon is a static file."""

from django.contrib.staticfiles import finders


def test_it_links_the_favicon(owner_client):
    page = owner_client.get("/chat/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    path = finders.find("favicon.svg")
    assert path and open(path).read().startswith("<svg")
