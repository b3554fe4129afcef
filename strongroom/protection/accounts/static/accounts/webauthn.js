/* Passkeys and security keys (WebAuthn): fetch options from the store, ask the browser,
   send the result back. The store checks everything; this only carries bytes. */
(function () {
  "use strict";

  function toBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: body === undefined ? "{}" : JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || "Something went wrong."); }
        return data;
      });
    });
  }

  function serialize(credential) {
    var r = credential.response, out = {
      id: credential.id, rawId: toB64url(credential.rawId), type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: {clientDataJSON: toB64url(r.clientDataJSON)}
    };
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      out.response.userHandle = r.userHandle ? toB64url(r.userHandle) : null;
    }
    if (credential.authenticatorAttachment) { out.authenticatorAttachment = credential.authenticatorAttachment; }
    return out;
  }

  function register(button) {
    return post(button.getAttribute("data-options-url")).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.user.id = toBytes(options.user.id);
      (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
      return navigator.credentials.create({publicKey: options});
    }).then(function (credential) {
      var name = document.getElementById("passkey-name");
      return post(button.getAttribute("data-finish-url"),
                  {credential: serialize(credential), name: name ? name.value : ""});
    });
  }

  function verify(button) {
    return post(button.getAttribute("data-options-url")).then(function (options) {
      options.challenge = toBytes(options.challenge);
      (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
      return navigator.credentials.get({publicKey: options});
    }).then(function (credential) {
      return post(button.getAttribute("data-finish-url"), serialize(credential));
    });
  }

  document.querySelectorAll("[data-passkey]").forEach(function (button) {
    if (!window.PublicKeyCredential) { button.disabled = true; return; }
    button.addEventListener("click", function () {
      var error = document.getElementById("passkey-error");
      if (error) { error.textContent = ""; }
      button.disabled = true;
      var flow = button.getAttribute("data-passkey") === "register" ? register : verify;
      flow(button).then(function (result) {
        window.location.assign(result.redirect || window.location.href);
      }).catch(function (err) {
        button.disabled = false;
        if (error) { error.textContent = (err && err.message) || "That did not work. Please try again."; }
      });
    });
  });
})();
