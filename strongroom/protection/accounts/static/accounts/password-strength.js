/* Live password guidance: the same zxcvbn estimate and minimum length the server enforces.
   Advice only; the server decides. No inline script: loaded with the page's CSP nonce. */
(function () {
  "use strict";
  var LABELS = ["Very weak", "Weak", "Fair", "Strong", "Very strong"];

  function words(input) {
    var extra = (input.getAttribute("data-words") || "").split(" ");
    var form = input.form;
    if (form) {
      ["email", "full_name"].forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && field.value) { extra = extra.concat(field.value.split(/[^A-Za-z0-9]+/)); }
      });
    }
    return extra.filter(function (w) { return w.length >= 3; });
  }

  function update(input) {
    var box = document.getElementById(input.getAttribute("data-strength"));
    if (!box) { return; }
    var meter = box.querySelector("meter");
    var text = box.querySelector("p");
    var value = input.value;
    var min = parseInt(input.getAttribute("data-min") || "8", 10);
    var needed = parseInt(input.getAttribute("data-score") || "3", 10);
    if (!value) { meter.hidden = true; text.textContent = ""; return; }
    meter.hidden = false;
    if (value.length < min) {
      meter.value = 0;
      text.textContent = "Keep going: at least " + min + " characters (" + value.length + " so far).";
      return;
    }
    if (typeof window.zxcvbn !== "function") { text.textContent = ""; return; }
    var result = window.zxcvbn(value.slice(0, 72), words(input));
    meter.value = result.score;
    var advice = [result.feedback.warning].concat(result.feedback.suggestions || [])
      .filter(Boolean).slice(0, 2).join(" ");
    text.textContent = LABELS[result.score] + ". " + (result.score >= needed
      ? "Good choice." : (advice || "Add another word or two; uncommon words are better."));
  }

  document.querySelectorAll("input[data-strength]").forEach(function (input) {
    input.addEventListener("input", function () { update(input); });
    update(input);
  });
})();
