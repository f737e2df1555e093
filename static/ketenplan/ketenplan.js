// Ketenplan: small progressive enhancements. No inline scripts (strict CSP).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen readers announce it.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
  // After an htmx swap htmx puts the focus back on an element with the same id. A control
  // without one (a table row's "Save status" button) was swapped out under the keyboard
  // user, and the focus fell to the page itself: put it on the same kind of control in
  // what came in instead, so Tab goes on from where the user was.
  var focusBefore = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    focusBefore = null;
    if (target && active && active !== document.body && target.contains(active)) {
      focusBefore = active.tagName.toLowerCase();
      ["name", "type"].forEach(function (attribute) {
        var value = active.getAttribute(attribute);
        if (value) { focusBefore += "[" + attribute + '="' + CSS.escape(value) + '"]'; }
      });
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var selector = focusBefore;
    focusBefore = null;
    var active = document.activeElement;
    if (!selector || (active && active !== document.body)) { return; }
    var scope = event.target;
    var control = scope.matches(selector) ? scope : scope.querySelector(selector);
    if (control) { control.focus(); }
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
  // Enter in a text field submits with the form's main button, not with the first one in
  // the page (on the registration form that would add another family member):
  // <button type="submit" data-default-submit>. Without JavaScript Enter adds a member,
  // which loses nothing.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) { return; }
    var field = event.target;
    if (!field.form || field.tagName !== "INPUT") { return; }
    if (["submit", "button", "checkbox", "radio", "file", "reset"].indexOf(field.type) !== -1) { return; }
    var main = field.form.querySelector("[data-default-submit]");
    if (!main || !field.form.requestSubmit) { return; }
    event.preventDefault();
    field.form.requestSubmit(main);
  });
})();
