"""In the browser: a long conversation opens at its end and loads older messages when scrolled up."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def long_conversation(chat_live, django_db_blocker):
    """Committed before the test's transaction starts, so that the server's threads see it."""
    from django_tenants.utils import schema_context

    from accounts.models import User
    from chat.tests.factories import make_conversation

    with django_db_blocker.unblock(), schema_context(chat_live.tenant.schema_name):
        owner = User.objects.get(email=chat_live.user_email)
        return make_conversation(owner, title="A long history", turns=60)


def test_it_loads_older_messages_when_scrolling_up(chat_page, long_conversation):
    page = chat_page
    page.goto(f"{page.base_url}/chat/{long_conversation.pk}/")
    messages = page.locator("#thread .msg")
    expect(messages).to_have_count(50)
    expect(messages.last).to_contain_text("Answer 59")
    first_shown = messages.first
    expect(first_shown).to_contain_text("Question 35")
    page.locator("#thread-scroll").evaluate("el => el.scrollTop = 0")
    expect(messages).to_have_count(100)
    expect(messages.first).to_contain_text("Question 10")
    # The message that was at the top stays in view instead of jumping away.
    expect(page.locator("#thread .msg", has_text="Question 35").first).to_be_in_viewport()
    page.locator("#thread-scroll").evaluate("el => el.scrollTop = 0")
    expect(messages).to_have_count(120)
    expect(messages.first).to_contain_text("Question 0")
    expect(page.locator("[data-older]")).to_have_count(0)


def test_it_opens_the_conversation_list_on_a_phone(chat_page, long_conversation):
    page = chat_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/chat/{long_conversation.pk}/")
    sidebar = page.locator("#sidebar")
    expect(sidebar).not_to_be_in_viewport()
    page.locator('.chat-header [data-action="open-sidebar"]').click()
    expect(sidebar.locator(".conv", has_text="A long history")).to_be_in_viewport()
    expect(sidebar).to_have_css("transform", "none")  # the slide-in transition has finished
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-phone-sidebar.png"))
    sidebar.locator('[data-action="close-sidebar"]').click()
    expect(sidebar).not_to_be_in_viewport()
