// Risk pages: confirm irreversible submit buttons (<button data-confirm="...">).
// No inline scripts (strict CSP); forms with data-confirm are handled by ketenplan.js.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);
})();
