"""The whole payment path with the real sandbox gateway: checkout -> the store's pay URL ->
the hosted page -> back, plus webhooks; every test card; the faults the issue lists."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from django.core import mail

from strongroom.commerce.orders.models import OrderEvent, OrderStatus
from strongroom.commerce.payments.models import Payment, PaymentStatus, WebhookEvent
from strongroom.interfaces.storefront.tests.conftest import HttpsClient
from strongroom.sandbox.tests.kit import path_of

from .conftest import place_order

pytestmark = pytest.mark.django_db(transaction=False)


def _to_hosted_page(client, variant):
    order, placed = place_order(client, variant)
    assert placed.status_code == 302 and placed.url.startswith(
        f"/checkout/pay/{order.reference}/?t=")
    hop = client.get(placed.url)
    assert hop.status_code == 302, hop.content
    return order, hop.url


def test_success_card_pays_the_order_once(client, sandbox, variant,
                                         django_capture_on_commit_callbacks):
    order, hosted = _to_hosted_page(client, variant)
    assert hosted.startswith(sandbox.url + "/pay/cs_")
    status, location, _ = sandbox.pay(hosted, "4242 4242 4242 4242")
    assert status == 303 and location.startswith("https://testserver/checkout/return/")
    with django_capture_on_commit_callbacks(execute=True):
        back = client.get(path_of(location))
    assert back.status_code == 302 and back.url == f"/order/{order.reference}/"
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert order.status == OrderStatus.PAID
    assert payment.status == PaymentStatus.CAPTURED and payment.card_last4 == "4242"
    assert payment.card_brand == "visa" and payment.card_exp_month == 12
    page = client.get(back.url).content.decode()
    assert "Paid with Visa ending 4242" in page
    # The webhook arrives after the return: applied, but nothing happens twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert sandbox.deliver() == 1
    assert WebhookEvent.objects.count() == 1
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    assert len(mail.outbox) == 1 and order.reference in mail.outbox[0].subject
    assert sandbox.count("sessions") == 1


def test_webhook_before_the_redirect(client, sandbox, variant,
                                    django_capture_on_commit_callbacks):
    order, hosted = _to_hosted_page(client, variant)
    _, location, _ = sandbox.pay(hosted, "4242424242424242")
    with django_capture_on_commit_callbacks(execute=True):
        assert sandbox.deliver() == 1  # webhook first
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    with django_capture_on_commit_callbacks(execute=True):
        client.get(path_of(location))  # then the shopper comes back
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("number, code", [
    ("4000000000000002", "card_declined"), ("4000000000009995", "insufficient_funds"),
    ("4000000000000069", "expired_card"), ("4000000000000119", "processing_error"),
])
def test_declined_cards_leave_the_order_pending(client, sandbox, variant, number, code):
    order, hosted = _to_hosted_page(client, variant)
    status, location, html = sandbox.pay(hosted, number)
    assert status == 402 and location == "" and 'role="alert"' in html
    assert number not in html  # the page never echoes the number back
    sandbox.deliver()
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert order.status == OrderStatus.PENDING
    assert payment.status == PaymentStatus.FAILED and payment.failure_code == code
    page = client.get(f"/order/{order.reference}/").content.decode()
    assert "Payment declined" in page and 'id="pay-now"' in page
    # Another card on the same session succeeds: one session, one charge.
    status, location, _ = sandbox.pay(hosted, "4242424242424242")
    assert status == 303
    client.get(path_of(location))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and sandbox.count("sessions") == 1


def test_invalid_card_details_are_refused_on_the_hosted_page(client, sandbox, variant):
    order, hosted = _to_hosted_page(client, variant)
    for number, expiry, cvc, text in [
        ("4242424242424241", "12/34", "123", "card number is invalid"),
        ("4242424242424242", "13/34", "123", "expiry month"),
        ("4242424242424242", "01/20", "123", "in the past"),
        ("4242424242424242", "12/34", "12", "security code"),
        ("4242", "12/34", "123", "card number is invalid"),
    ]:
        status, _, html = sandbox.pay(hosted, number, expiry=expiry, cvc=cvc)
        assert status == 400 and text in html
    assert sandbox.count("payments") == 0


def test_extra_authentication_step(client, sandbox, variant):
    order, hosted = _to_hosted_page(client, variant)
    status, location, _ = sandbox.pay(hosted, "4000000000003220")
    assert status == 303 and location.endswith("/authenticate")
    client.get(f"/checkout/return/{order.reference}/")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING  # not paid before authentication
    status, location, _ = sandbox.authenticate(hosted, "complete")
    assert status == 303
    client.get(path_of(location))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_failed_authentication_declines(client, sandbox, variant):
    order, hosted = _to_hosted_page(client, variant)
    sandbox.pay(hosted, "4000000000003220")
    status, _, html = sandbox.authenticate(hosted, "fail")
    assert status == 402 and "could not authenticate" in html
    client.get(f"/checkout/return/{order.reference}/?cancelled=1")
    assert Payment.objects.get(order=order).failure_code == "authentication_failed"


def test_duplicate_and_replayed_webhooks_apply_once(client, sandbox, variant,
                                                    django_capture_on_commit_callbacks):
    order, hosted = _to_hosted_page(client, variant)
    sandbox.pay(hosted, "4242424242424242")
    event = sandbox.events()[-1]
    with django_capture_on_commit_callbacks(execute=True):
        assert sandbox.deliver() == 1
    with sandbox.db.write() as conn:  # the gateway sends the same event again
        conn.execute("UPDATE events SET delivered = NULL, next_attempt = 0 WHERE id = ?",
                     (event["id"],))
    with django_capture_on_commit_callbacks(execute=True):
        assert sandbox.deliver() == 1
    assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    assert len(mail.outbox) == 1


def test_out_of_order_webhooks_never_move_a_payment_back(client, sandbox, variant):
    order, hosted = _to_hosted_page(client, variant)
    sandbox.pay(hosted, "4000000000000002")  # payment.failed event
    sandbox.pay(hosted, "4242424242424242")  # checkout.session.completed event
    failed, completed = sandbox.events()
    with sandbox.db.write() as conn:  # deliver the newer first
        conn.execute("UPDATE events SET next_attempt = 1e12 WHERE id = ?", (failed["id"],))
    assert sandbox.deliver() == 1
    with sandbox.db.write() as conn:
        conn.execute("UPDATE events SET next_attempt = 0 WHERE id = ?", (failed["id"],))
    assert sandbox.deliver() == 1
    payment = Payment.objects.get(order=order)
    order.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED and order.status == OrderStatus.PAID


def test_gateway_down_gives_a_clear_message_and_keeps_the_order(client, sandbox, variant,
                                                                  settings):
    live = settings.STRONGROOM_PAYMENTS
    settings.STRONGROOM_PAYMENTS = replace(live, sandbox_url="https://localhost:9")  # closed
    order, placed = place_order(client, variant)
    down = client.get(placed.url)
    assert down.status_code == 503
    html = down.content.decode()
    assert "not answering" in html and "nothing has been charged" in html
    assert 'id="retry-payment"' in html
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert Payment.objects.get(order=order).gateway_reference == ""
    settings.STRONGROOM_PAYMENTS = live  # back up: the retry works
    again = client.get(placed.url)
    assert again.status_code == 302 and again.url.startswith(sandbox.url + "/pay/")


def test_slow_gateway_times_out_and_the_retry_reuses_the_same_session(client, sandbox,
                                                                      variant, settings):
    app = sandbox.running.app
    original, release = app.handle, threading.Event()

    def slow(request):
        result = original(request)  # the gateway does the work ...
        release.wait(5)  # ... but answers too late
        return result

    app.handle = slow
    settings.STRONGROOM_PAYMENTS = replace(settings.STRONGROOM_PAYMENTS, timeout=0.5)
    order, placed = place_order(client, variant)
    slow_response = client.get(placed.url)
    assert slow_response.status_code == 503
    release.set()
    app.handle = original
    assert sandbox.count("sessions") == 1  # the gateway did create one
    retry = client.get(placed.url)
    assert retry.status_code == 302
    assert sandbox.count("sessions") == 1  # the idempotency key gave the same one back
    status, location, _ = sandbox.pay(retry.url, "4242424242424242")
    client.get(path_of(location))
    assert sandbox.count("payments") == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_paid_session_cannot_be_charged_again(client, sandbox, variant):
    order, hosted = _to_hosted_page(client, variant)
    sandbox.pay(hosted, "4242424242424242")
    status, _, html = sandbox.open(hosted)
    assert status == 200 and "This payment is complete" in html
    with sandbox.db.connect() as conn:
        assert conn.execute("SELECT attempts FROM payments").fetchone()[0] == 1


def test_pay_and_return_urls_are_not_an_idor(client, sandbox, variant):
    order, placed = place_order(client, variant)
    stranger = HttpsClient()
    assert stranger.get(f"/checkout/pay/{order.reference}/").status_code == 404
    assert stranger.get(f"/checkout/pay/{order.reference}/?t=forged").status_code == 404
    assert stranger.get(f"/checkout/return/{order.reference}/").status_code == 404
    assert stranger.get("/checkout/pay/SR-NOPE/").status_code == 404
    # The signed token alone opens the pay URL (API shoppers), without personal data.
    assert stranger.get(placed.url).status_code == 302
    token = placed.url.split("?t=")[1]
    result = stranger.get(f"/checkout/return/{order.reference}/?t={token}")
    assert result.status_code == 200 and ADDRESS_LINE not in result.content.decode()


ADDRESS_LINE = "1 Coin Street"


def test_checkout_page_may_post_to_the_gateway_only(client, sandbox, variant):
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    csp = client.get("/checkout/")["Content-Security-Policy"]
    assert f"form-action 'self' {sandbox.url}" in csp
    home = client.get("/")["Content-Security-Policy"]
    assert "form-action 'self';" in home
