"""A store must not go live on test payments: ``check --deploy`` says so."""

from __future__ import annotations

import dataclasses

from django.conf import settings as django_settings

from strongroom.commerce.payments.checks import check_gateway


def _ids(settings, **config) -> list[str]:
    settings.STRONGROOM_PAYMENTS = dataclasses.replace(django_settings.STRONGROOM_PAYMENTS,
                                                       **config)
    return [message.id for message in check_gateway()]


def test_sandbox_and_test_keys_are_flagged_live_stripe_is_not(settings) -> None:
    assert _ids(settings, gateway="sandbox") == ["payments.W001"]
    assert _ids(settings, gateway="none") == []
    live = {"gateway": "stripe", "stripe_secret_key": "sk_live_abc",
            "stripe_webhook_secret": "whsec_x", "stripe_api_base": ""}
    assert _ids(settings, **live) == []
    assert _ids(settings, **{**live, "stripe_secret_key": "sk_test_abc"}) == ["payments.W002"]
    assert _ids(settings, **{**live, "stripe_api_base": "http://127.0.0.1:9"}) == [
        "payments.E001"]
