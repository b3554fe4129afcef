"""Every catalog change is an audit event in the change's transaction, in an exact order:
a price cut to 0.01 or a stock edit by a compromised staff account is on the record."""

from __future__ import annotations

from decimal import Decimal

import pytest

from strongroom.commerce.catalog import services
from strongroom.commerce.catalog.errors import CatalogError
from strongroom.commerce.catalog.models import Variant
from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import ActorType, AuditEvent
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.factories import product_make
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db
E = AuditEvent


def test_product_create_records_the_product_then_each_variant():
    staff = staff_make(Role.ADMIN)
    mark = audit_mark()
    product = services.product_create(name="Teapot", actor=staff, variants=[
        {"sku": "TEA-1", "price": Decimal("12.00"), "stock": 3},
        {"sku": "TEA-2", "price": Decimal("14.00"), "stock": 0, "name": "Large"}])
    entries = audit_entries_since(mark)
    assert [AuditEvent(e.event) for e in entries] == [
        E.PRODUCT_CREATED, E.VARIANT_CREATED, E.VARIANT_CREATED]
    assert all(e.actor_type == ActorType.STAFF and e.actor_id == str(staff.pk)
               for e in entries)
    assert entries[0].object_type == "catalog.product" and entries[0].object_id == str(
        product.pk)
    assert entries[1].reason == "sku TEA-1 price 12.00 EUR stock 3"


def test_variant_update_records_price_stock_and_other_changes_in_that_order():
    variant = product_make(price="15.95", stock=10).variants.get()
    staff = staff_make(Role.ADMIN)
    mark = audit_mark()
    services.variant_update(variant=variant, price=Decimal("0.01"), stock=500,
                            name="Clearance", actor=staff)
    entries = audit_entries_since(mark)
    assert [(AuditEvent(e.event), e.fields, e.reason) for e in entries] == [
        (E.PRICE_CHANGED, "price", "15.95 -> 0.01 EUR"),
        (E.STOCK_CHANGED, "stock", "10 -> 500"),
        (E.VARIANT_UPDATED, "name", ""),
    ]
    mark = audit_mark()
    services.variant_update(variant=variant, price=Decimal("0.01"), stock=500, actor=staff)
    assert audit_events_since(mark) == []  # nothing changed, nothing recorded


def test_product_update_names_only_the_fields_that_changed():
    product = product_make(name="Kettle")
    mark = audit_mark()
    services.product_update(product=product, name="Kettle", is_active=False)
    entries = audit_entries_since(mark)
    assert [(AuditEvent(e.event), e.fields, e.actor_type) for e in entries] == [
        (E.PRODUCT_UPDATED, "is_active", ActorType.SYSTEM)]


def test_a_refused_change_writes_no_event_and_changes_nothing():
    variant = product_make(price="15.95", stock=10).variants.get()
    mark = audit_mark()
    with pytest.raises(CatalogError):
        services.variant_update(variant=variant, price=Decimal("5.00"), stock=-1)
    assert audit_events_since(mark) == []
    assert Variant.objects.get(pk=variant.pk).price == Decimal("15.95")


def test_console_edits_are_recorded_as_the_staff_member(settings):
    product = product_make(name="Mug", price="8.00", stock=4)
    variant = product.variants.get()
    staff = staff_make(Role.ADMIN)
    console = console_client(staff)
    mark = audit_mark()
    r = console.post(f"/console/products/{product.pk}/variants/{variant.pk}/", {
        f"v{variant.pk}-price": "8.00", f"v{variant.pk}-stock": "0",
        f"v{variant.pk}-name": "", f"v{variant.pk}-is_active": "on"})
    assert r.status_code == 302
    r = console.post(f"/console/products/{product.pk}/variants/", {
        "new-sku": "MUG-XL", "new-price": "9.50", "new-stock": "2", "new-name": "XL"})
    assert r.status_code == 302
    entries = audit_entries_since(mark)
    assert [(AuditEvent(e.event), e.actor_id) for e in entries] == [
        (E.STOCK_CHANGED, str(staff.pk)), (E.VARIANT_CREATED, str(staff.pk))]


def test_prices_the_currency_cannot_charge_are_refused(settings):
    settings.STRONGROOM_CURRENCY = "JPY"
    product = product_make(name="Fan", price="1000", stock=1)
    with pytest.raises(CatalogError, match="whole numbers"):
        services.variant_create(product=product, sku="FAN-2", price=Decimal("999.50"))
    settings.STRONGROOM_CURRENCY = "KWD"
    with pytest.raises(CatalogError, match="at most 2 decimals"):
        services.variant_create(product=product, sku="FAN-3", price=Decimal("1.234"))
