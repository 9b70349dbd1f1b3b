"""The unknown-workspace 404 page (issue 11 §10): styled, its stylesheet served on that host too,
and it links to the public site instead of to itself."""

from django.test import Client


def test_it_answers_a_styled_404_linking_to_the_public_site(db):
    response = Client(HTTP_HOST="nowhere.localhost:8000").get("/chat/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'rel="stylesheet" href="/static/css/app.css"' in html
    assert "data-unknown-host" in html and "nowhere.localhost" in html
    assert 'href="http://localhost:8000/"' in html
    assert 'href="/"' not in html  # not a link to the same unknown host


def test_it_serves_the_page_stylesheet_on_the_unknown_host(db):
    response = Client(HTTP_HOST="nowhere.localhost").get("/static/css/app.css")
    assert response.status_code == 200
    assert b".topbar" in b"".join(response.streaming_content) if response.streaming else response.content


def test_it_says_it_in_slovenian(db):
    response = Client(HTTP_HOST="nowhere.localhost", HTTP_ACCEPT_LANGUAGE="sl").get("/")
    assert response.status_code == 404
    assert "Tukaj ni delovnega prostora" in response.content.decode()
