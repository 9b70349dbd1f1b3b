"""In the browser: a parallel_consensus answer shows live progress per model and phase ("claude ✓ 0.3 s ·
gpt-4o writing… · Synthesis waiting"), then the synthesis streamed as it is written; stop works
while the models are still answering (desktop and phone)."""

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ANSWER, ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

GPT, CLAUDE = "gpt-4o", "claude-sonnet-4-6"
VIEWPORTS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


def _ask_consensus(page, text):
    page.goto(page.base_url + "/chat/")
    page.locator("#composer select[name=strategy]").select_option("parallel_consensus")
    box = page.locator("#composer textarea[name=content]")
    box.fill(text)
    box.press("Enter")
    page.wait_for_url("**/chat/*-*/")
    return page.locator('.msg[data-role="assistant"]').last


def _step(answer, phase, provider=None):
    sel = f'.msg-progress .step[data-phase="{phase}"]'
    if provider:
        sel += f'[data-provider="{provider}"]'
    return answer.locator(sel)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_it_shows_each_model_and_phase_then_streams_the_synthesis(chat_page, fake_llm, size):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave(CLAUDE, text="Claude thinks Redis streams fit best.", chunk_delay=0.01)
    # GPT stops after two words until resumed; it then writes on slowly
    fake_llm.behave(GPT, text="GPT also thinks Redis streams fit, for several reasons.", chunk_delay=0.05,
                    pause_after=2)  # fmt: skip
    page = chat_page
    page.set_viewport_size(VIEWPORTS[size])
    answer = _ask_consensus(page, "Which relay should we use?")
    expect(_step(answer, "consensus", "anthropic")).to_have_attribute("data-state", "done")
    expect(_step(answer, "consensus", "anthropic")).to_contain_text(f"{CLAUDE} ✓")
    expect(_step(answer, "consensus", "anthropic")).to_contain_text(" s")
    expect(_step(answer, "consensus", "openai")).to_have_text(f"{GPT} writing…")
    expect(_step(answer, "synthesis")).to_have_text("Synthesis waiting")
    # in the order they run: the models, then the synthesis
    expect(answer.locator(".msg-progress .step").last).to_have_attribute("data-phase", "synthesis")
    expect(answer).to_have_attribute("data-status", "streaming")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"consensus-progress-{size}.png"))

    # GPT goes on; the first model to answer (Claude) writes the synthesis, which stops after 5 words
    fake_llm.server.reset()  # lets the paused stream go on and arms the pause again
    fake_llm.behave(CLAUDE, text=ANSWER, chunk_delay=0.01, pause_after=5)
    fake_llm.behave(GPT, text="GPT also thinks Redis streams fit, for several reasons.", chunk_delay=0.01)
    expect(_step(answer, "consensus", "openai")).to_have_attribute("data-state", "done")
    expect(_step(answer, "synthesis")).to_have_text(f"Synthesis · {CLAUDE} writing…")
    body = answer.locator(".stream-text")
    expect(body.locator("strong")).to_have_text("short comparison")  # the synthesis, streamed as written
    expect(answer).to_have_attribute("data-status", "streaming")
    page.screenshot(path=str(ARTIFACTS / f"consensus-synthesis-{size}.png"))
    fake_llm.resume()
    expect(answer).to_have_attribute("data-status", "complete")
    expect(answer.locator(".msg-body table")).to_be_visible()
    expect(answer.locator(".msg-progress")).to_have_count(0)


def test_it_stops_a_consensus_answer_while_the_models_answer(chat_page, fake_llm):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave(text="Both models wait after two words here.", chunk_delay=0.01, pause_after=2)
    page = chat_page
    answer = _ask_consensus(page, "Stop while they think")
    expect(_step(answer, "consensus", "openai")).to_have_attribute("data-state", "running")
    expect(_step(answer, "consensus", "anthropic")).to_have_attribute("data-state", "running")
    stop = page.locator("#composer .stop-btn")
    expect(stop).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/stop/") and r.request.method == "POST") as stopped:
        stop.click()
    assert stopped.value.ok
    fake_llm.resume()
    expect(answer).to_have_attribute("data-status", "stopped")
    expect(answer.locator(".msg-note")).to_have_text("Stopped.")
    expect(page.locator("#composer .send-btn")).to_be_visible()
    # no synthesis was asked for: two calls, one per model
    assert len(fake_llm.requests_for(model=GPT)) + len(fake_llm.requests_for(model=CLAUDE)) == 2
