// Strongroom checkout: stop a second click from submitting the order twice.
// Listed in strongroom/commerce/payments/integrity.py with its SRI hash (PCI DSS 6.4.3).
(function () {
  "use strict";
  var form = document.getElementById("checkout-review");
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.id === "place-order-button") {
      window.setTimeout(function () { submitter.disabled = true; }, 0);
      submitter.textContent = "Placing order…";
    }
  });
}());
