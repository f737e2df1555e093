// Ketenplan: small progressive enhancements. No inline scripts (strict CSP).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen readers announce it.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
  // Ask for confirmation before irreversible steps: <form data-confirm="...">. The server
  // refuses such steps without confirmed=yes (and asks on a page of its own without
  // JavaScript); once asked here, say so, so that page is skipped.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (!message) { return; }
    if (!window.confirm(message)) { event.preventDefault(); return; }
    if (!form.querySelector('input[name="confirmed"]')) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirmed";
      input.value = "yes";
      form.appendChild(input);
    }
  }, true);
})();
