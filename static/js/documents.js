/* Documents (issue 9): composer file chips with upload progress, drag and drop, status polling;
   drag and drop on the library page; the viewer scrolls to the cited passage. No build step. */
(function () {
  "use strict";
  if (window.chorusDocuments) return; // loaded once even when included twice
  window.chorusDocuments = true;

  function csrf() {
    var el = document.querySelector("[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }

  function text(key, fallback) {
    var el = document.getElementById("documents-i18n");
    if (!el) return fallback;
    try { return JSON.parse(el.textContent)[key] || fallback; } catch (e) { return fallback; }
  }

  // --- composer -------------------------------------------------------------------------------
  function chipFor(box, name) {
    var chip = document.createElement("span");
    chip.className = "file-chip";
    chip.dataset.status = "uploading";
    var label = document.createElement("span");
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    var state = document.createElement("span");
    state.className = "muted chip-state";
    var remove = document.createElement("button");
    remove.type = "button"; remove.dataset.action = "remove-file";
    remove.setAttribute("aria-label", text("remove", "Remove"));
    remove.textContent = "×";
    chip.append(label, bar, state, remove);
    box.appendChild(chip);
    return chip;
  }

  function setChip(chip, info) {
    chip.dataset.status = info.status;
    var bar = chip.querySelector("progress");
    var state = chip.querySelector(".chip-state");
    if (info.status === "processing") {
      if (bar) bar.value = info.progress || 0;
      state.textContent = info.stage_label || "";
    } else {
      if (bar) bar.remove();
      state.textContent = info.status === "ready" ? "" : (info.error || info.status);
    }
  }

  function poll(chip, url) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (info) {
        if (!info || !chip.isConnected) return;
        setChip(chip, info);
        if (info.status === "processing" || info.status === "uploading") setTimeout(function () { poll(chip, url); }, 1500);
      })
      .catch(function () { if (chip.isConnected) setTimeout(function () { poll(chip, url); }, 4000); });
  }

  function upload(form, input, file, done) {
    var box = form.querySelector("[data-file-chips]");
    var chip = chipFor(box, file.name);
    var data = new FormData();
    data.append("files", file);
    var xhr = new XMLHttpRequest();
    chip._xhr = xhr;
    xhr.open("POST", input.dataset.filesUrl);
    xhr.setRequestHeader("X-CSRFToken", csrf());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) chip.querySelector("progress").value = Math.round((100 * e.loaded) / e.total);
    };
    xhr.onloadend = function () { if (done) done(); };
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status !== 200 || !body) {
        setChip(chip, { status: "error", error: (body && body.error) || text("failed", "Upload failed") });
        return;
      }
      if (body.created) { // the first file started a conversation: messages now go there
        form.dataset.conversationUrl = body.conversation_url;
        form.dataset.messageUrl = body.message_url;
      }
      input.dataset.filesUrl = body.files_url;
      input.dataset.removeUrl = body.files_url;
      var r = body.results[0];
      if (!r || !r.ok) { setChip(chip, { status: "error", error: r ? r.error : "" }); return; }
      chip.dataset.document = r.id;
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "documents"; hidden.value = r.id;
      chip.appendChild(hidden);
      setChip(chip, r);
      if (r.status === "processing") poll(chip, r.status_url);
    };
    xhr.onerror = function () { setChip(chip, { status: "error", error: text("failed", "Upload failed") }); };
    xhr.send(data);
  }

  function uploadAll(form, input, files) {
    var list = Array.prototype.slice.call(files);
    input.value = ""; // the files travel in their own requests, never with the message
    if (!list.length) return;
    if (input.dataset.removeUrl) { // the conversation exists: all at once
      list.forEach(function (f) { upload(form, input, f); });
      return;
    }
    // A new chat: the first file starts the conversation, the others follow into it (sent at
    // once, each would start a conversation of its own).
    upload(form, input, list[0], function () {
      list.slice(1).forEach(function (f) { upload(form, input, f); });
    });
  }

  document.addEventListener("change", function (e) {
    var input = e.target;
    if (input.matches && input.matches("[data-composer] input[type=file][name=files]")) {
      uploadAll(input.form, input, input.files);
    }
  });

  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-action=remove-file]");
    if (!btn) return;
    var chip = btn.closest(".file-chip");
    var form = btn.closest("form");
    var input = form && form.querySelector("input[type=file][name=files]");
    if (chip._xhr && chip._xhr.readyState !== 4) chip._xhr.abort();
    if (chip.dataset.document && input && input.dataset.removeUrl && chip.dataset.status !== "error") {
      fetch(input.dataset.removeUrl + chip.dataset.document + "/remove/", {
        method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin",
      });
    }
    chip.remove();
  });

  // A conversation started by an upload on the new-chat page: the message goes to it, then we open it.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("[data-composer]") || !form.dataset.messageUrl) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    var data = new FormData(form);
    data.delete("files");
    fetch(form.dataset.messageUrl, { method: "POST", body: data, credentials: "same-origin",
                                     headers: { "X-CSRFToken": csrf() } })
      .then(function () { window.location.assign(form.dataset.conversationUrl); });
  }, true);

  // After a message is sent, its files are attached to it: clear the chips.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (form && form.matches && form.matches("[data-composer]") && e.detail.successful) {
      form.querySelectorAll(".file-chip").forEach(function (c) { c.remove(); });
    }
  });

  // --- drag and drop: the composer and the library form --------------------------------------------
  function dropTarget(el) { return el.closest && el.closest("[data-composer], [data-drop-zone]"); }
  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var t = dropTarget(e.target);
      if (!t || !e.dataTransfer || Array.prototype.indexOf.call(e.dataTransfer.types, "Files") < 0) return;
      e.preventDefault();
      t.classList.add("is-dragover");
    });
  });
  document.addEventListener("dragleave", function (e) {
    var t = dropTarget(e.target);
    if (t && !t.contains(e.relatedTarget)) t.classList.remove("is-dragover");
  });
  document.addEventListener("drop", function (e) {
    var t = dropTarget(e.target);
    if (!t || !e.dataTransfer || !e.dataTransfer.files.length) return;
    e.preventDefault();
    t.classList.remove("is-dragover");
    var input = t.querySelector("input[type=file][name=files]");
    if (t.matches("[data-composer]")) {
      uploadAll(t, input, e.dataTransfer.files);
    } else {
      input.files = e.dataTransfer.files;
      if (t.requestSubmit) t.requestSubmit(); else t.submit();
    }
  });

  // --- viewer ---------------------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", function () {
    var mark = document.getElementById("passage");
    if (mark) mark.scrollIntoView({ block: "center" });
  });
})();
