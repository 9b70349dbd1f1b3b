"""Measure (issue 11): the time from each streamed delta reaching the page to its rendered markdown
in the page, and how often raw markdown is visible while the answer streams, at desktop and phone
sizes (the page subscribed before the provider goes on). Every delta is rendered (in the next
animation frame), and the text shown once the last delta is rendered is markdown without raw
markers; the figures are printed (docs/PERFORMANCE.md)."""

import json
import statistics

import pytest
from playwright.sync_api import expect

from chat.tests.browser import ANSWER, SIZES, answer_like_a_provider, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

RAW_MARKERS = ["**", "|--", "|:-", "```", "](http"]

# Before the page's scripts: the time each "delta" event arrives (a listener added when the
# EventSource is made, so before chat.js's own) and each change of an answer's rendered text.
TIMING = """
(() => {
  const Native = window.EventSource;
  window.__deltas = [];
  window.__renders = [];
  function Timed(url, options) {
    const es = new Native(url, options);
    es.addEventListener("delta", () => window.__deltas.push(performance.now()));
    return es;
  }
  Timed.prototype = Native.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSED"]) { Timed[k] = Native[k]; }
  window.EventSource = Timed;
  const markers = __MARKERS__;
  document.addEventListener("DOMContentLoaded", () => {
    new MutationObserver((records) => {
      const el = (n) => (n.nodeType === 1 ? n : n.parentElement);
      const inBox = (n) => el(n) && el(n).closest(".stream-text");
      const box = records.map((r) => inBox(r.target)).find(Boolean);
      if (!box) { return; }
      const text = box.innerText;
      window.__renders.push({ t: performance.now(), raw: markers.filter((m) => text.includes(m)).length > 0 });
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
})();
""".replace("__MARKERS__", json.dumps(RAW_MARKERS))


@pytest.mark.parametrize("size", list(SIZES))
def test_it_renders_each_streamed_delta_in_the_next_frame(chat_page, fake_llm, size):
    answer_like_a_provider(fake_llm, text=ANSWER, paused=True)
    page = chat_page
    page.set_viewport_size(SIZES[size])
    page.add_init_script(TIMING)
    page.goto(page.base_url + "/chat/")
    box = page.locator("#composer textarea[name=content]")
    box.fill("Compare the relays, timed")
    box.press("Enter")
    page.wait_for_url("**/chat/*-*/")
    answer = page.locator('.msg[data-role="assistant"]').last
    # the first words are in (the provider holds the rest): from here on every delta arrives live
    expect(answer.locator(".stream-text strong")).to_have_text("short comparison")
    page.evaluate("window.__deltas = []; window.__renders = []")
    fake_llm.resume()
    expect(answer).to_have_attribute("data-status", "complete")

    deltas = page.evaluate("window.__deltas")
    renders = page.evaluate("window.__renders")
    assert len(deltas) > 20, "the answer streamed in many deltas"
    streamed = [r for r in renders if r["t"] <= deltas[-1] + 1000]
    latencies = []
    for t in deltas:
        after = [r["t"] for r in renders if r["t"] >= t]
        assert after, "every delta is rendered"
        latencies.append(after[0] - t)
    last = next(r for r in renders if r["t"] >= deltas[-1])
    assert not last["raw"], "the fully streamed text shows no raw markdown"
    raw_frames = sum(1 for r in streamed if r["raw"])
    load = open("/proc/loadavg").read().split()[0]
    print(
        f"\n[{size}] {len(deltas)} deltas, {len(streamed)} renders; delta -> rendered: first "
        f"{latencies[0]:.1f} ms, median {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms; "
        f"renders showing a raw marker while streaming: {raw_frames} of {len(streamed)} (load {load})"
    )
    screenshot(page, f"streamed-delta-timing-{size}")
