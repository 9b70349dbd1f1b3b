/* Chorus chat: streaming answers (EventSource), the composer, small interactions. No build step.
 * The server renders everything; this file only streams text in and wires buttons. Translated
 * strings arrive in #chat-i18n (json_script). */
(function () {
  "use strict";

  var T = {};
  try { T = JSON.parse((document.getElementById("chat-i18n") || {}).textContent || "{}"); } catch (e) { T = {}; }
  var streams = new Map();

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  function scroller() { return document.getElementById("thread-scroll"); }
  function nearBottom() {
    var s = scroller();
    return !s || s.scrollHeight - s.scrollTop - s.clientHeight < 140;
  }
  function toBottom() { var s = scroller(); if (s) { s.scrollTop = s.scrollHeight; } }
  function byId(id) { return document.getElementById("m-" + id); }

  /* --- Markdown while it streams ------------------------------------------------------------
   * Configured like the server (chat/rendering.py: markdown-it commonmark + tables + strikethrough,
   * no raw HTML, code as <pre class="highlight"><code>, sanitised to the same tags), so the final
   * server HTML that replaces it takes the same room. Without the vendored libraries: plain text. */
  var md = null;
  var PURIFY = {
    ALLOWED_TAGS: ["p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
      "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "span", "div"],
    ALLOWED_ATTR: ["href", "title", "class", "style", "start"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  };
  function markdown() {
    if (md || !window.markdownit || !window.DOMPurify) { return md; }
    md = window.markdownit("default", {
      html: false, linkify: false, typographer: false,
      highlight: function (code) { return '<pre class="highlight"><code>' + md.utils.escapeHtml(code) + "</code></pre>"; },
    });
    window.DOMPurify.addHook("afterSanitizeAttributes", function (node) {
      if (node.tagName === "A") { node.setAttribute("rel", "noopener noreferrer nofollow"); }
    });
    return md;
  }

  /* A copy button on every code block (server-rendered and streamed); the block scrolls sideways. */
  function decorateCode(root) {
    var tpl = document.getElementById("code-copy-tpl");
    if (!tpl || !root) { return; }
    root.querySelectorAll(".msg-body pre").forEach(function (pre) {
      if (pre.parentElement.classList.contains("code-block")) { return; }
      var wrap = document.createElement("div");
      wrap.className = "code-block";
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      wrap.appendChild(tpl.content.firstElementChild.cloneNode(true));
    });
  }

  var raw = new Map();  // message id -> the answer's text so far
  var pendingRender = new Set();
  function renderText(id) {
    var m = byId(id);
    var box = m && m.querySelector(".stream-text");
    if (!box) { return; }
    var text = raw.get(id) || "";
    var r = markdown();
    if (r) {
      box.innerHTML = window.DOMPurify.sanitize(r.render(text), PURIFY);
      decorateCode(box.parentNode);
    } else {
      box.classList.add("is-plain");
      box.textContent = text;
    }
  }
  function scheduleRender(id) {  // at most once a frame, however fast the deltas come
    if (pendingRender.has(id)) { return; }
    pendingRender.add(id);
    requestAnimationFrame(function () {
      if (!pendingRender.delete(id)) { return; }
      var stick = nearBottom();
      renderText(id);
      if (stick) { toBottom(); }
    });
  }
  function flushRender(id) {
    if (pendingRender.delete(id)) { renderText(id); }
  }

  /* --- Progress of multi-model answers (phase events) --------------------------------------- */
  var LATER = { consensus: ["synthesis"], research: ["analysis", "structure"] };  // the phases still to come
  var STEPS = { consensus: 1, synthesis: 1, research: 1, analysis: 1, structure: 1 };
  var progress = new Map();  // message id -> [{name, provider, detail, state, t0, ms}]

  function seconds(ms) { return (ms / 1000).toFixed(1).replace(".", T.decimal || ".") + " s"; }

  function onPhase(id, d) {
    if (!STEPS[d.name]) {
      if (d.status === "started") { setPhase(byId(id), d.detail || d.name); }
      return;
    }
    var steps = progress.get(id) || [];
    progress.set(id, steps);
    var now = performance.now();
    if (d.status === "started") {
      var step = steps.find(function (s) { return s.name === d.name && s.state === "waiting"; });
      if (!step) {  // before the phases still waiting
        step = { name: d.name };
        var at = steps.findIndex(function (s) { return s.state === "waiting"; });
        steps.splice(at < 0 ? steps.length : at, 0, step);
      }
      step.provider = d.provider; step.detail = d.detail; step.state = "running"; step.t0 = now;
      (LATER[d.name] || []).forEach(function (n) {
        if (!steps.some(function (s) { return s.name === n; })) { steps.push({ name: n, state: "waiting" }); }
      });
    } else {
      var run = steps.find(function (s) { return s.name === d.name && s.provider === d.provider && s.state === "running"; });
      if (run) {
        run.state = d.ok === false ? "failed" : "done";
        run.ms = d.elapsed_ms || (now - run.t0);
        if (d.ok === false) { run.error = d.detail; }
      }
    }
    renderProgress(id);
  }

  function stepText(s) {
    var who = s.detail || s.provider || "";
    var phase = (T.phases || {})[s.name] || s.name;
    var head = s.name === "consensus" ? who : (who ? phase + " · " + who : phase);
    if (s.state === "waiting") { return phase + " " + (T.waiting || "waiting"); }
    if (s.state === "running") { return head + " " + (T.step_writing || "writing…"); }
    if (s.state === "failed") { return head + " ✗ " + (T.step_failed || "failed"); }
    return head + " ✓ " + seconds(s.ms || 0);
  }

  function renderProgress(id) {
    var m = byId(id);
    var list = m && m.querySelector(".msg-progress");
    var steps = progress.get(id);
    if (!list || !steps) { return; }
    list.hidden = false;
    m.classList.add("has-progress");
    list.innerHTML = "";
    steps.forEach(function (s) {
      var li = document.createElement("li");
      li.className = "step is-" + s.state;
      li.dataset.phase = s.name;
      li.dataset.state = s.state;
      if (s.provider) { li.dataset.provider = s.provider; }
      if (s.error) { li.title = s.error; }
      li.textContent = stepText(s);
      list.appendChild(li);
    });
  }

  /* --- Streaming -------------------------------------------------------------------------- */
  function setPhase(el, text) {
    var label = el && el.querySelector(".phase-label");
    if (label && text) { label.textContent = text; }
  }

  function refreshMessage(id, url) {
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var el = byId(id);
        if (html && el) {
          var stick = nearBottom();
          el.outerHTML = html;
          var fresh = byId(id);
          if (fresh && window.htmx) { window.htmx.process(fresh); }
          decorateCode(fresh);
          if (stick) { toBottom(); }
        }
        raw.delete(id);
        progress.delete(id);
        updateComposer();
      });
  }

  function startStream(el) {
    var id = el.dataset.id;
    var url = el.dataset.streamUrl;
    var detail = el.dataset.detailUrl;
    if (!url || streams.has(id)) { return; }
    var es = new EventSource(url);
    streams.set(id, es);
    raw.set(id, "");
    es.addEventListener("status", function () {
      var m = byId(id);
      if (m) { m.dataset.status = "streaming"; }
    });
    es.addEventListener("phase", function (e) {
      onPhase(id, JSON.parse(e.data || "{}"));
    });
    es.addEventListener("restart", function () {  // its writer died: the answer is written again
      raw.set(id, "");
      scheduleRender(id);
    });
    es.addEventListener("delta", function (e) {
      var m = byId(id);
      if (!m) { return; }
      var d = JSON.parse(e.data || "{}");
      m.dataset.status = "streaming";
      m.classList.add("has-text");
      raw.set(id, (raw.get(id) || "") + (d.text || ""));
      scheduleRender(id);
      setPhase(m, T.writing);
    });
    es.addEventListener("error", function (e) {
      if (e && e.data) {  // an "error" event sent by the server (not a dropped connection)
        var d = JSON.parse(e.data);
        setPhase(byId(id), d.message || T.error);
      } else if (es.readyState === EventSource.CONNECTING) {
        setPhase(byId(id), T.reconnecting);  // the browser reconnects with Last-Event-ID
      }
    });
    es.addEventListener("end", function (e) {
      es.close();
      streams.delete(id);
      flushRender(id);
      var d = {};
      try { d = JSON.parse(e.data || "{}"); } catch (err) { d = {}; }
      if (d.title) {
        var h = document.getElementById("chat-title");
        if (h && h.textContent !== d.title) { h.textContent = d.title; document.title = d.title; }
        var current = document.querySelector(".conv.is-current .conv-title");
        if (current && !current.querySelector(".star")) { current.textContent = d.title; }
      }
      refreshMessage(id, detail);
    });
    updateComposer();
  }

  function attachStreams(root) {
    (root || document).querySelectorAll(".msg[data-stream-url]").forEach(startStream);
    updateComposer();
  }

  function openAnswer() {
    var open = document.querySelectorAll('#thread .msg[data-role="assistant"][data-status="pending"], #thread .msg[data-role="assistant"][data-status="streaming"]');
    return open.length ? open[open.length - 1] : null;
  }

  function updateComposer() {
    var form = document.getElementById("composer");
    if (!form) { return; }
    var busy = !!openAnswer();
    var stop = form.querySelector(".stop-btn");
    var send = form.querySelector(".send-btn");
    if (stop) { stop.hidden = !busy; }
    if (send) { send.hidden = busy; }
    form.classList.toggle("is-busy", busy);
  }

  function stopAnswer() {
    var el = openAnswer();
    if (!el || !el.dataset.stopUrl) { return; }
    fetch(el.dataset.stopUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    });
  }

  /* --- Composer ------------------------------------------------------------------------- */
  function grow(area) {
    area.style.height = "auto";
    area.style.height = Math.min(area.scrollHeight, 240) + "px";
  }

  /* The length limit, said before it is reached: no silent cut of a pasted text (issue 11). */
  function fmtNumber(n) {
    try { return new Intl.NumberFormat(document.documentElement.lang || undefined).format(n); } catch (e) { return String(n); }
  }
  function interpolate(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (all, k) { return k in values ? values[k] : all; });
  }
  function setupCounter(form) {
    var area = form && form.querySelector("textarea[name=content]");
    var bar = form && form.querySelector(".composer-bar");
    if (!area || !bar || area.dataset.limit) { return; }
    area.dataset.limit = area.maxLength > 0 ? area.maxLength : 32000;
    area.removeAttribute("maxlength");
    var out = document.createElement("span");
    out.className = "char-count";
    out.hidden = true;
    out.setAttribute("aria-live", "polite");
    bar.insertBefore(out, bar.querySelector(".hint") || bar.querySelector(".stop-btn"));
    updateCounter(area);
  }
  function updateCounter(area) {
    var form = area.form;
    var out = form && form.querySelector(".char-count");
    if (!out) { return; }
    var limit = Number(area.dataset.limit), count = area.value.length;
    var over = count > limit;
    var values = { count: fmtNumber(count), limit: fmtNumber(limit), over: fmtNumber(count - limit) };
    out.hidden = count < limit * 0.8;
    out.textContent = interpolate(over ? T.too_long : T.near_limit, values);
    out.classList.toggle("is-over", over);
    form.classList.toggle("is-too-long", over);
    var send = form.querySelector(".send-btn");
    if (send) { send.disabled = over; }
  }

  document.addEventListener("keydown", function (e) {
    var area = e.target;
    if (!(area instanceof HTMLTextAreaElement)) { return; }
    var form = area.form;
    if (!form || !(form.matches("[data-composer]") || form.classList.contains("edit-form"))) { return; }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (!area.value.trim()) { return; }
      if (form.matches("[data-composer]") && (form.classList.contains("is-busy") || form.classList.contains("is-too-long"))) { return; }
      form.requestSubmit();
    }
  });
  document.addEventListener("input", function (e) {
    if (e.target instanceof HTMLTextAreaElement && e.target.form && e.target.form.matches("[data-composer]")) {
      grow(e.target);
      updateCounter(e.target);
    }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-composer]")) { return; }
    var xhr = e.detail.xhr;
    if (e.detail.successful && xhr && !xhr.getResponseHeader("X-Chat-Problem")) {
      var area = form.querySelector("textarea[name=content]");
      area.value = "";
      grow(area);
      updateCounter(area);
      var alert = document.getElementById("composer-alert");
      if (alert) { alert.innerHTML = ""; }
    }
  });

  /* A refusal the server wants shown (429: a rate limit) arrives with X-Chat-Problem and a retarget
     to the composer's alert; htmx swaps no 4xx on its own. */
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if (xhr && xhr.status === 429 && xhr.getResponseHeader("X-Chat-Problem")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  /* --- Thread swaps: streams, scroll position when older messages arrive ------------------------ */
  var keepFromBottom = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-older")) {
      var s = scroller();
      keepFromBottom = s ? s.scrollHeight - s.scrollTop : null;
    }
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail.target;
    if (keepFromBottom !== null) {
      var s = scroller();
      if (s) { s.scrollTop = s.scrollHeight - keepFromBottom; }
      keepFromBottom = null;
    } else if (target && (target.id === "thread")) {
      toBottom();
    }
    attachStreams(document);
    decorateCode(document);
  });

  /* --- Clicks ----------------------------------------------------------------------------- */
  function copy(text, button) {
    var done = function () {
      button.classList.add("is-done");
      button.setAttribute("title", T.copied || "Copied");
      setTimeout(function () { button.classList.remove("is-done"); button.setAttribute("title", T.copy || "Copy"); }, 1200);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, done);
    } else {
      var ta = document.createElement("textarea");
      ta.value = text; document.body.appendChild(ta); ta.select();
      try { document.execCommand("copy"); } catch (err) { /* nothing to do */ }
      ta.remove(); done();
    }
  }

  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-action]");
    document.querySelectorAll("details.popover[open]").forEach(function (d) {
      if (!d.contains(e.target)) { d.removeAttribute("open"); }
    });
    if (!btn) { return; }
    var action = btn.dataset.action;
    var msg = btn.closest(".msg");
    if (action === "copy-code") {
      var block = btn.closest(".code-block");
      if (block) { copy(block.querySelector("pre").innerText.replace(/\n$/, ""), btn); }
    } else if (action === "copy" && msg) {
      copy(msg.querySelector(".msg-body").innerText.trim(), btn);
    } else if (action === "edit" && msg) {
      var form = msg.querySelector(".edit-form");
      msg.classList.add("is-editing");
      form.hidden = false;
      var area = form.querySelector("textarea");
      area.style.height = "auto";
      area.style.height = Math.min(area.scrollHeight + 2, Math.round(window.innerHeight * 0.45)) + "px";
      area.focus({ preventScroll: true }); area.setSelectionRange(area.value.length, area.value.length);
      form.scrollIntoView({ block: "nearest" });  // Save/Cancel in view, not under the composer
    } else if (action === "cancel-edit" && msg) {
      msg.classList.remove("is-editing");
      msg.querySelector(".edit-form").hidden = true;
    } else if (action === "stop") {
      stopAnswer();
    } else if (action === "rename") {
      var title = document.getElementById("chat-title");
      var rename = document.querySelector(".rename-form");
      if (title && rename) {
        title.hidden = true; rename.hidden = false;
        var input = rename.querySelector("input[name=title]");
        if (!input.value) { input.value = title.textContent.trim(); }
        input.focus(); input.select();
      }
    } else if (action === "open-sidebar") {
      document.body.classList.add("sidebar-open");
      document.querySelector(".sidebar-backdrop").hidden = false;
    } else if (action === "close-sidebar") {
      document.body.classList.remove("sidebar-open");
      document.querySelector(".sidebar-backdrop").hidden = true;
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    var rename = document.querySelector(".rename-form:not([hidden])");
    if (rename) { rename.hidden = true; document.getElementById("chat-title").hidden = false; }
    document.querySelectorAll("details.popover[open]").forEach(function (d) { d.removeAttribute("open"); });
  });

  /* A popover opens upwards unless there is no room above it in the thread (the first answer). */
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (!(d instanceof HTMLDetailsElement) || !d.open || !d.classList.contains("popover") || d.classList.contains("menu")) { return; }
    var body = d.querySelector(".popover-body");
    var s = scroller();
    if (!body || !s) { return; }
    d.classList.remove("opens-down");
    if (body.getBoundingClientRect().top < s.getBoundingClientRect().top) { d.classList.add("opens-down"); }
  }, true);

  document.addEventListener("change", function (e) {
    if (e.target.matches("input[data-autosubmit]")) { e.target.form.submit(); }
  });

  /* --- Start ------------------------------------------------------------------------------ */
  function init() {
    var s = scroller();
    var focus = s && s.dataset.focus;
    var target = focus && byId(focus);
    if (target) {
      target.scrollIntoView({ block: "center" });
      target.classList.add("is-focused");
    } else {
      toBottom();
    }
    var area = document.querySelector("#composer textarea");
    if (area) { grow(area); setupCounter(area.form); }
    decorateCode(document);
    attachStreams(document);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
