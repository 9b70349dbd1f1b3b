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
          if (stick) { toBottom(); }
        }
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
    es.addEventListener("status", function () {
      var m = byId(id);
      if (m) { m.dataset.status = "streaming"; }
    });
    es.addEventListener("phase", function (e) {
      var d = JSON.parse(e.data || "{}");
      if (d.status === "started") { setPhase(byId(id), d.detail || (d.provider ? d.provider + " · " + d.name : d.name)); }
    });
    es.addEventListener("delta", function (e) {
      var m = byId(id);
      if (!m) { return; }
      var stick = nearBottom();
      var d = JSON.parse(e.data || "{}");
      m.dataset.status = "streaming";
      m.classList.add("has-text");
      var box = m.querySelector(".stream-text");
      if (box) { box.textContent += d.text || ""; }
      setPhase(m, T.writing);
      if (stick) { toBottom(); }
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

  document.addEventListener("keydown", function (e) {
    var area = e.target;
    if (!(area instanceof HTMLTextAreaElement)) { return; }
    var form = area.form;
    if (!form || !(form.matches("[data-composer]") || form.classList.contains("edit-form"))) { return; }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (!area.value.trim()) { return; }
      if (form.matches("[data-composer]") && form.classList.contains("is-busy")) { return; }
      form.requestSubmit();
    }
  });
  document.addEventListener("input", function (e) {
    if (e.target instanceof HTMLTextAreaElement && e.target.form && e.target.form.matches("[data-composer]")) { grow(e.target); }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-composer]")) { return; }
    var xhr = e.detail.xhr;
    if (e.detail.successful && xhr && !xhr.getResponseHeader("X-Chat-Problem")) {
      var area = form.querySelector("textarea[name=content]");
      area.value = "";
      grow(area);
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
    if (action === "copy" && msg) {
      copy(msg.querySelector(".msg-body").innerText.trim(), btn);
    } else if (action === "edit" && msg) {
      var form = msg.querySelector(".edit-form");
      msg.classList.add("is-editing");
      form.hidden = false;
      var area = form.querySelector("textarea");
      area.focus(); area.setSelectionRange(area.value.length, area.value.length);
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
    if (area) { grow(area); }
    attachStreams(document);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
