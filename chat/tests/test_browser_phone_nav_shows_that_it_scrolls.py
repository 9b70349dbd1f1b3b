"""On a phone an owner's chat nav (six links and the language) is wider than the bar and scrolls
sideways inside it with no scrollbar: a shadow at the end where links are hidden says so, and goes
once that end is reached (CSS scroll shadows: covers in the bar's colour scroll with the links)."""

import pytest

from chat.tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Whether the nav overflows, how far it is scrolled, and its background layers as computed.
EDGE = """(nav) => {
  const r = nav.getBoundingClientRect();
  return { overflows: nav.scrollWidth > nav.clientWidth + 1, left: nav.scrollLeft,
           max: nav.scrollWidth - nav.clientWidth,
           image: getComputedStyle(nav).backgroundImage, attachment: getComputedStyle(nav).backgroundAttachment };
}"""


def test_it_shows_a_shadow_where_the_phone_nav_hides_links(chat_page):
    page = chat_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/chat/")
    nav = page.locator(".chat-page .topnav")
    state = nav.evaluate(EDGE)
    assert state["overflows"], "an owner's nav is wider than a phone's bar"
    assert state["image"].count("radial-gradient") == 2 and state["image"].count("linear-gradient") == 2
    assert state["attachment"].split(", ")[:4] == ["local", "local", "scroll", "scroll"]
    right_shadow = screenshot(page, "phone-nav-scroll-hint")
    nav.evaluate("nav => { nav.scrollLeft = nav.scrollWidth; }")
    assert nav.evaluate("nav => nav.scrollLeft") > 0  # it scrolls inside the bar
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page does not widen"
    screenshot(page, "phone-nav-scrolled")
    assert right_shadow.exists()


def test_it_has_no_hint_on_a_desktop(chat_page):
    page = chat_page
    page.goto(page.base_url + "/chat/")
    state = page.locator(".chat-page .topnav").evaluate(EDGE)
    assert not state["overflows"] and "radial-gradient" not in state["image"]
