"""Minor units by ISO 4217 exponent at the gateway edge: JPY has none, KWD and BHD have
three. The Stripe adapter is exercised against a fake Stripe at the network edge, with the
real library (the conversions themselves: ``commerce/tests/test_money.py``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps

from strongroom.commerce.payments.errors import RefundNotAllowed
from strongroom.commerce.payments.models import Payment, PaymentStatus
from strongroom.commerce.payments.services import payment_refund
from strongroom.config import ConfigError
from strongroom.testing.factories import product_make

from .conftest import order_for_api
from .test_stripe import _open
from .test_stripe import fake_stripe as fake_stripe_fixture

fake_stripe = fake_stripe_fixture  # the Stripe fake at the network edge, as a fixture here

pytestmark = pytest.mark.django_db


def test_an_unknown_store_currency_stops_start_up_with_one_line(settings):
    settings.STRONGROOM_CURRENCY = "XYZ"
    with pytest.raises(ConfigError) as caught:
        apps.get_app_config("payments").ready()
    assert "STRONGROOM_CURRENCY" in str(caught.value) and "\n" not in str(caught.value)


# Totals include standard shipping (4.95, free from 75): JPY 1000 ships free.
@pytest.mark.parametrize("currency, price, unit_amount, refund, refund_minor", [
    ("JPY", "1000", "1000", "300", 300),
    ("KWD", "12.35", "17300", "2.05", 2050),
    ("BHD", "4.50", "9450", "0.10", 100),
    ("EUR", "40.00", "4495", "10.00", 1000),
])
def test_stripe_gets_minor_units_by_exponent(client, fake_stripe, settings, owner, currency,  # noqa: F811
                                             price, unit_amount, refund, refund_minor):
    settings.STRONGROOM_CURRENCY = currency
    variant = product_make(name=f"Item {currency}", price=price, stock=5).variants.get()
    order, payment = _open(client, fake_stripe, variant)
    assert payment.currency == currency
    _, _, form, _ = fake_stripe.requests[0]
    assert form["line_items[0][price_data][currency]"] == currency.lower()
    assert form["line_items[0][price_data][unit_amount]"] == unit_amount
    fake_stripe.paid("cs_test_0001")
    client.get(order.back + "&session_id=cs_test_0001")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CAPTURED and payment.amount == order.total
    payment_refund(payment=payment, amount=refund, actor=owner)
    refunds = [f for m, p, f, _ in fake_stripe.requests if p == "/v1/refunds"]
    assert refunds == [{"payment_intent": "pi_test_1", "amount": str(refund_minor)}]
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal(refund)
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED


def test_a_fractional_yen_refund_is_refused(client, fake_stripe, settings, owner):  # noqa: F811
    settings.STRONGROOM_CURRENCY = "JPY"
    variant = product_make(name="Fan", price="1000", stock=5).variants.get()
    order, payment = _open(client, fake_stripe, variant)
    fake_stripe.paid("cs_test_0001")
    client.get(order.back + "&session_id=cs_test_0001")
    with pytest.raises(RefundNotAllowed, match="whole amount"):
        payment_refund(payment=Payment.objects.get(pk=payment.pk), amount="10.50", actor=owner)


def test_api_orders_carry_the_store_currency(settings):
    settings.STRONGROOM_CURRENCY = "JPY"
    variant = product_make(name="Bowl", price="2500", stock=2).variants.get()
    order, _ = order_for_api(variant)
    assert order.currency == "JPY"
