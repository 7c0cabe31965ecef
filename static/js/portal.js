// Small behaviours shared by every page. Kept out of the HTML so that CSP can forbid inline scripts.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("js-autosubmit") && target.form) {
      target.form.submit();
    }
  });
  // Confirm dangerous actions: <button data-confirm="Yakin?">
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // htmx: send the CSRF token with every request it makes.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
})();
