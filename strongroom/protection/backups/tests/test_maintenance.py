"""Maintenance mode as each kind of visitor meets it: shoppers get a status page (503 +
Retry-After), API clients 503 JSON, the owner's console keeps working, and a payment
webhook that arrives meanwhile still pays its order (no payment is lost)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from strongroom.commerce.orders.models import OrderStatus
from strongroom.commerce.payments.tests.conftest import client, variant  # noqa: F401
from strongroom.commerce.payments.tests.test_stripe import (  # noqa: F401
    _open,
    event,
    fake_stripe,
    post_webhook,
    stripe_signed,
)
from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.backups import selectors
from strongroom.protection.backups.services import maintenance_off, maintenance_on
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_state():
    selectors.maintenance_cache_clear()
    yield
    selectors.maintenance_cache_clear()


def test_shoppers_and_api_get_503_console_keeps_working(client):  # noqa: F811
    owner = staff_make(Role.OWNER)
    console = console_client(owner)
    assert client.get("/").status_code == 200
    maintenance_on(message="Moving to a bigger shelf, back at 14:00.", by=owner,
                   retry_after=900)
    page = client.get("/")
    assert page.status_code == 503 and page["Retry-After"] == "900"
    assert b"Moving to a bigger shelf" in page.content
    assert "Content-Security-Policy" in page  # the security headers still apply
    api = client.get("/api/products")
    assert api.status_code == 503 and api["Retry-After"] == "900"
    assert api.json()["error"]["code"] == "maintenance"
    assert console.get("/console/").status_code == 200
    assert client.get("/console/login/").status_code == 200  # staff can still sign in
    maintenance_off(by=owner)
    assert client.get("/").status_code == 200
    events = list(AuditEntry.objects.filter(event=AuditEvent.MAINTENANCE_MODE_CHANGED)
                  .order_by("at_us").values_list("object_id", "actor_id"))
    assert events == [("on", str(owner.pk)), ("off", str(owner.pk))]


def test_a_payment_webhook_during_maintenance_still_pays_the_order(
        client, fake_stripe, variant, django_capture_on_commit_callbacks):  # noqa: F811
    order, _payment = _open(client, fake_stripe, variant)
    fake_stripe.paid("cs_test_0001")
    maintenance_on(message="Back soon.")
    body, sig = stripe_signed(event("checkout.session.completed",
                                    fake_stripe.sessions["cs_test_0001"]))
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, body, sig).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert client.get("/").status_code == 503


def test_command(capsys):
    call_command("maintenance", "on", "--message", "Stocktaking")
    call_command("maintenance", "status")
    assert "maintenance mode is ON: Stocktaking" in capsys.readouterr().out
    with pytest.raises(CommandError) as caught:
        call_command("maintenance", "on", "--message", "  ")
    assert caught.value.returncode == 2
    call_command("maintenance", "off")
    assert "maintenance mode is off" in capsys.readouterr().out
    assert not selectors.maintenance_state().enabled
