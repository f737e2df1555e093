// Ketenplan: small progressive enhancements. No inline scripts (strict CSP).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen readers announce it.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
  // Ask for confirmation before irreversible steps: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);
})();
