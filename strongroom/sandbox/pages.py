"""The hosted payment page's HTML. No script at all: the page works with a plain form,
so there is nothing for a skimmer to hook into, and its CSP allows no script source."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlsplit

from . import cards


@dataclass(frozen=True)
class FormError:
    field: str
    message: str


def csp(form_origins: tuple[str, ...]) -> str:
    # Chrome applies form-action to the redirect after a POST too: the shopper's return to
    # the store (its success URL) must be allowed, and nothing else.
    targets = " ".join(["'self'", *form_origins])
    return ("default-src 'none'; style-src 'self'; img-src 'self'; "
            f"form-action {targets}; frame-ancestors 'none'; base-uri 'none'")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def money(amount: int, currency: str) -> str:
    return f"{currency} {amount // 100}.{amount % 100:02d}"


def _html(title: str, body: str, *, status: int = 200,
          origins: tuple[str, ...] = ()) -> tuple[int, list[tuple[str, str]], bytes]:
    doc = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Strongroom Sandbox Pay</title>
<link rel="stylesheet" href="/static/sandbox.css"></head>
<body><header><p class="brand">Strongroom Sandbox Pay <span class="tag">test mode</span></p>
</header><main>{body}</main>
<footer><p>A test payment gateway: no real money moves. Card details typed here stay with
the gateway; the store never receives them.</p></footer></body></html>"""
    return status, [("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Security-Policy", csp(origins))], doc.encode()


def payment_form(session: Any, token: str, error: FormError | None, *, status: int = 200):
    amount = money(session["amount"], session["currency"])
    err = ""
    if error is not None:
        err = f'<p class="error" role="alert" id="payment-error">{escape(error.message)}</p>'

    def invalid(field: str) -> str:
        return ' aria-invalid="true" aria-describedby="payment-error"' if (
            error and error.field == field) else ""

    rows = "".join(
        f"<tr><td><code>{' '.join(n[i:i + 4] for i in range(0, len(n), 4))}</code></td>"
        f"<td>{escape(_describe(outcome))}</td></tr>"
        for n, (outcome, _) in cards.TEST_CARDS.items())
    body = f"""
<h1>Pay {escape(amount)}</h1>
<p class="muted">{escape(session['description'] or 'Payment')}</p>
{err}
<form method="post" action="/pay/{escape(session['id'])}" autocomplete="on" id="pay-form">
  <input type="hidden" name="token" value="{escape(token)}">
  <label for="number">Card number</label>
  <input id="number" name="number" inputmode="numeric" autocomplete="cc-number"
         maxlength="23" required{invalid('number')}>
  <div class="row">
    <div><label for="expiry">Expiry (MM/YY)</label>
    <input id="expiry" name="expiry" autocomplete="cc-exp" placeholder="MM/YY" maxlength="7"
           required{invalid('expiry')}></div>
    <div><label for="cvc">Security code (CVC)</label>
    <input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" maxlength="4"
           required{invalid('cvc')}></div>
  </div>
  <button type="submit" id="pay-button">Pay {escape(amount)}</button>
</form>
<p><a href="{escape(session['cancel_url'])}" id="cancel-link">Cancel and return to the store</a></p>
<details><summary>Test cards</summary>
<table><thead><tr><th scope="col">Number</th><th scope="col">Result</th></tr></thead>
<tbody>{rows}</tbody></table>
<p>Use any future expiry date and any 3-digit CVC (4 digits for American Express).</p>
</details>"""
    return _html(f"Pay {amount}", body, status=status,
                 origins=(_origin(session["success_url"]),))


def _describe(outcome: str) -> str:
    return {cards.SUCCESS: "Succeeds", cards.REQUIRES_ACTION: "Asks for authentication",
            "card_declined": "Declined", "insufficient_funds": "Insufficient funds",
            "expired_card": "Expired card", "processing_error": "Processing error"}[outcome]


def authenticate(session: Any, token: str):
    body = f"""
<h1>Confirm this payment</h1>
<p>Your bank asks you to confirm a payment of
{escape(money(session['amount'], session['currency']))}. (In this sandbox, choose the
outcome.)</p>
<form method="post" action="/pay/{escape(session['id'])}/authenticate">
  <input type="hidden" name="token" value="{escape(token)}">
  <div class="actions">
    <button type="submit" name="action" value="complete" id="auth-complete">
      Complete authentication</button>
    <button type="submit" name="action" value="fail" id="auth-fail" class="secondary">
      Fail authentication</button>
  </div>
</form>"""
    return _html("Confirm payment", body, origins=(_origin(session["success_url"]),))


def complete(session: Any):
    return _html("Payment complete", f"""
<h1>This payment is complete</h1>
<p><a href="{escape(session['success_url'].replace('{CHECKOUT_SESSION_ID}', session['id']))}"
id="return-link">Return to the store</a></p>""")


def message(title: str, text: str, status: int):
    return _html(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>", status=status)


def not_found():
    return message("Payment not found", "This payment link is not valid.", 404)


CSS = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header,footer{padding:.75rem 1.5rem;background:#1d2330;color:#fff}
footer{background:none;color:#555;font-size:.85rem}
.brand{margin:0;font-weight:600}.tag{background:#f5a623;color:#000;border-radius:4px;
padding:0 .4rem;font-size:.8rem}
main{max-width:32rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px}
label{display:block;margin-top:1rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #999;
border-radius:4px}
input:focus,button:focus,a:focus{outline:3px solid #2a62d9;outline-offset:2px}
.row{display:flex;gap:1rem}.row>div{flex:1}
button{margin-top:1.25rem;padding:.7rem 1.2rem;font-size:1rem;border:0;border-radius:4px;
background:#2a62d9;color:#fff;cursor:pointer}
button.secondary{background:#666}.actions{display:flex;gap:1rem}
.error{background:#fde8e8;border:1px solid #c62828;color:#8e0000;padding:.6rem;
border-radius:4px}
.muted{color:#555}table{border-collapse:collapse;width:100%}td,th{text-align:left;
padding:.2rem .4rem;border-bottom:1px solid #ddd}
"""
