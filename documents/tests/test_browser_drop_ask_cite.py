"""In the browser: drop a file in the composer, watch it become ready, ask, see the citation, open it."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ARTIFACTS
from documents.tests.helpers import PLANTED_EN

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _drop(page, name: str, text: str) -> None:
    page.evaluate(
        """([name, text]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], name, {type: "text/plain"}));
            const target = document.querySelector("[data-composer] textarea");
            for (const type of ["dragenter", "dragover", "drop"]) {
                target.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
            }
        }""",
        [name, text],
    )


def test_it_drops_a_file_asks_and_opens_the_cited_passage(docs_page):
    page = docs_page
    page.goto(page.base_url + "/chat/")
    _drop(page, "warranty.txt", "Shipping takes two days.\n\n" + PLANTED_EN + "\n\nReturns are free.")
    chip = page.locator(".file-chip").first
    expect(chip).to_contain_text("warranty.txt")
    expect(chip).to_have_attribute("data-status", "ready", timeout=30_000)
    box = page.locator("#composer textarea[name=content]")
    box.fill("How long is the warranty of the Zephyr drill?")
    box.press("Enter")
    page.wait_for_url("**/chat/*-*/")
    answer = page.locator('.msg[data-role="assistant"]').last
    expect(answer).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(answer.locator(".msg-body")).to_contain_text("thirty-six months")
    expect(answer.locator('.sources [data-source-kind="document"]')).to_contain_text("warranty.txt")  # details list
    source = answer.locator('.doc-citations [data-source-kind="document"]').first  # under the answer
    expect(source).to_contain_text("warranty.txt")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "documents-citation.png"))
    source.locator("a").click()
    mark = page.locator("mark#passage")
    expect(mark).to_contain_text("thirty-six months")
    expect(mark).to_be_in_viewport()
    page.screenshot(path=str(ARTIFACTS / "documents-viewer.png"))
    page.goto(page.base_url + "/documents/")
    row = page.locator("tr[data-document-id]").first
    expect(row).to_have_attribute("data-status", "ready")
    page.screenshot(path=str(ARTIFACTS / "documents-library.png"))
