"""In the browser, at desktop and phone sizes (issue 11 §5): a new owner creates a workspace on the
public host (with a display name), is told a confirmation e-mail was sent, follows the link from
that e-mail, confirms, and lands signed in on the new workspace greeted by name; the real Celery
worker provisions the workspace meanwhile. The owner invites someone from the admin; the guest's
page says who invited them to what, asks their name and signs them in without asking to confirm
the address. Screenshots are kept in test-artifacts/."""

import re
import uuid

import pytest
from django.core import mail
from playwright.sync_api import expect

from chat.tests.browser import SIZES, browser_instance, drop_workspaces, screenshot, serve  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PREFIX = "onboard-browser-"
OWNER_PASSWORD = "amber-walrus-sings-58"
GUEST_PASSWORD = "quiet-heron-paints-17"


@pytest.fixture(scope="module")
def public_live(django_db_setup, django_db_blocker):
    """The servers with the worker on the default queue (provisioning, e-mails); yields the port.
    The workspaces the tests sign up are dropped at the end."""
    drop_workspaces(django_db_blocker, subdomain__startswith=PREFIX)
    try:
        with serve(django_db_blocker, queues=["celery", "orchestration"]) as port:
            yield port
    finally:
        drop_workspaces(django_db_blocker, subdomain__startswith=PREFIX)


@pytest.fixture
def new_context(browser_instance, settings):  # noqa: F811
    settings.WORKSPACE_SIGNUP_RATE_LIMIT = "1000/minute"  # every signup of the suite comes from 127.0.0.1
    contexts = []

    def make(size):
        context = browser_instance.new_context(viewport=SIZES[size])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)  # provisioning on two shared cores
        expect.set_options(timeout=60_000)
        return page

    yield make
    for context in contexts:
        context.close()


def _mail_to(address: str):
    sent = [m for m in mail.outbox if address in m.to]
    assert sent, f"no e-mail to {address}"
    return sent[-1]


WIDER_THAN_THE_PAGE = """() => [...document.querySelectorAll("body *")].filter(
  (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
).map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`)"""


def _no_sideways_scroll(page, size):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], page.evaluate(WIDER_THAN_THE_PAGE)


@pytest.mark.parametrize("size", list(SIZES))
def test_it_signs_the_new_owner_and_an_invited_guest_in_without_typing_anything_twice(public_live, new_context, size):
    port = public_live
    subdomain = f"{PREFIX}{size}-{uuid.uuid4().hex[:6]}"
    owner_email = f"ana-{subdomain}@onboard.example"
    guest_email = f"gina-{subdomain}@elsewhere.example"
    workspace_url = f"http://{subdomain}.localhost:{port}"

    # the public site: create the workspace, a display name asked
    page = new_context(size)
    page.goto(f"http://localhost:{port}/")
    page.get_by_role("link", name="Create your workspace").first.click()
    expect(page.locator('label[for="id_owner_name"]')).to_be_visible()
    page.fill("#id_name", "Onboard Co")
    page.fill("#id_subdomain", subdomain)
    page.fill("#id_owner_name", "Ana Novak")
    page.fill("#id_owner_email", owner_email)
    page.fill("#id_owner_password", OWNER_PASSWORD)
    _no_sideways_scroll(page, size)
    screenshot(page, f"onboarding-signup-{size}")
    page.locator("form button[type=submit]").last.click()

    # the progress page says the confirmation e-mail went out
    expect(page.locator("[data-confirm-email]")).to_contain_text("Check your e-mail.")
    _no_sideways_scroll(page, size)
    screenshot(page, f"onboarding-progress-{size}")

    # the link of the captured e-mail, in the same browser: a button, then the workspace
    confirmation = _mail_to(owner_email)
    link = re.search(r"http://localhost:\d+/signup/\S+/confirm/\S+/", confirmation.body).group(0)
    page.goto(link)
    expect(page.locator("main h1")).to_have_text("Confirm your e-mail address")
    expect(page.locator("main")).to_contain_text(owner_email)
    _no_sideways_scroll(page, size)
    screenshot(page, f"onboarding-confirm-{size}")
    page.get_by_role("button", name="Confirm and open the workspace").click()

    # signed in on the new workspace as soon as it is ready, greeted by the display name
    page.wait_for_url(f"{workspace_url}/chat/**")
    expect(page.get_by_text("How can I help you today, Ana?")).to_be_visible()
    assert "/accounts/login/" not in page.url
    _no_sideways_scroll(page, size)
    screenshot(page, f"onboarding-owner-signed-in-{size}")

    # the owner invites a guest from the workspace admin
    page.goto(f"{workspace_url}/admin/accounts/invitation/add/")
    page.fill("#id_email", guest_email)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Invitation sent to {guest_email}.")

    # the guest, in another browser, opens the link of the invitation e-mail
    invitation = _mail_to(guest_email)
    link = re.search(rf"{re.escape(workspace_url)}/accounts/invitation/\S+/", invitation.body).group(0)
    guest = new_context(size)
    guest.goto(link)
    expect(guest.locator("[data-invitation]")).to_have_text("Ana Novak invited you to Onboard Co as Member.")
    expect(guest.locator("main")).to_contain_text(guest_email)
    _no_sideways_scroll(guest, size)
    screenshot(guest, f"onboarding-invitation-{size}")
    mails_before = len(mail.outbox)
    guest.fill("#id_name", "Gina Guest")
    guest.fill("#id_password1", GUEST_PASSWORD)
    if guest.locator("#id_password2").count():
        guest.fill("#id_password2", GUEST_PASSWORD)
    guest.get_by_role("button", name="Accept the invitation").click()

    # signed in at once: no "confirm your e-mail" page and no confirmation e-mail
    guest.wait_for_url(f"{workspace_url}/chat/**")
    expect(guest.get_by_text("How can I help you today, Gina?")).to_be_visible()
    assert "confirm" not in guest.locator("main").inner_text().lower()
    assert len(mail.outbox) == mails_before
    _no_sideways_scroll(guest, size)
    screenshot(guest, f"onboarding-guest-signed-in-{size}")
