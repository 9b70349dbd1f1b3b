/* Chorus, every page: small behaviours that used to be inline handlers or hx-on attributes (the
 * Content-Security-Policy allows no inline script and no eval, ADR 0010).
 * - <select data-autosubmit> submits its form when it changes (the language menu).
 * - <form data-refresh-after-upload="#list">: after a successful htmx request the form is reset
 *   and the element #list is reloaded from the current page (the documents library). */
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
    var target = form.getAttribute("data-refresh-after-upload");
    form.reset();
    window.htmx.ajax("GET", window.location.pathname + window.location.search,
      { target: target, select: target, swap: "outerHTML" });
  });
})();
