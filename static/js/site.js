/* Chorus, every page: small behaviours that used to be inline handlers or hx-on attributes (the
 * Content-Security-Policy allows no inline script and no eval, ADR 0010).
 * - <select data-autosubmit> submits its form when it changes (the language menu).
 * - <form data-refresh-after-upload="#list">: after a successful htmx request the form is reset
 *   and the element #list is replaced by the current page's fresh copy (the documents library). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form[data-refresh-after-upload]") || !event.detail.successful) {
      return;
    }
    var selector = form.getAttribute("data-refresh-after-upload");
    form.reset();
    // Only the list is taken from the page. Parsing the whole page (htmx.ajax, DOMParser) would meet
    // its <style>, which carries another request's CSP nonce and is refused (a reported violation):
    // the page's <style> blocks are dropped before parsing; the list has none.
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        html = html.replace(/<style[\s\S]*?<\/style>/gi, "");
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
        var current = document.querySelector(selector);
        if (fresh && current) {
          var node = document.importNode(fresh, true);
          current.replaceWith(node);
          if (window.htmx) { window.htmx.process(node); }
        }
      })
      .catch(function () { /* the list stays as it was; a reload shows the upload */ });
  });
})();
