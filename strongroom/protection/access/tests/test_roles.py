"""The role table reads as the issue states it (independently re-stated here)."""

from strongroom.protection.access.roles import (
    ROLE_TABLE,
    FieldGroup,
    Perm,
    Policy,
    Role,
    Scope,
)


def test_every_role_has_a_row():
    assert set(ROLE_TABLE) == set(Role)


def test_owner_has_every_permission_and_only_owner_manages_staff():
    assert ROLE_TABLE[Role.OWNER].perms == frozenset(Perm)
    assert [r for r in Role if Perm.STAFF_MANAGE in ROLE_TABLE[r].perms] == [Role.OWNER]


def test_refunds_are_owner_and_admin():
    assert {r for r in Role if Perm.ORDERS_REFUND in ROLE_TABLE[r].perms} == {
        Role.OWNER, Role.ADMIN}


def test_auditor_sees_the_audit_log_and_no_customer_data():
    auditor = ROLE_TABLE[Role.AUDITOR]
    assert Perm.AUDIT_VIEW in auditor.perms
    assert auditor.customers == auditor.orders == Scope.NONE
    assert all(auditor.field(g) == Policy.HIDDEN for g in FieldGroup)
    assert not auditor.perms & {Perm.ORDERS_VIEW, Perm.CUSTOMERS_VIEW, Perm.DASHBOARD_STATS}


def test_support_sees_masked_contact_and_may_reveal():
    support = ROLE_TABLE[Role.SUPPORT]
    assert support.field(FieldGroup.EMAIL) == support.field(FieldGroup.PHONE) == Policy.REVEAL


def test_fulfilment_sees_shipping_details_of_orders_awaiting_shipment_only():
    fulfilment = ROLE_TABLE[Role.FULFILMENT]
    assert fulfilment.orders == Scope.AWAITING_SHIPMENT and fulfilment.customers == Scope.NONE
    assert fulfilment.field(FieldGroup.ADDRESS) == Policy.CLEAR
    assert fulfilment.field(FieldGroup.EMAIL) == Policy.HIDDEN


def test_marketing_sees_only_consenting_customers():
    marketing = ROLE_TABLE[Role.MARKETING]
    assert marketing.customers == Scope.MARKETING_CONSENT and marketing.orders == Scope.NONE
    assert marketing.field(FieldGroup.ADDRESS) == marketing.field(FieldGroup.PHONE) \
        == Policy.HIDDEN


def test_no_role_shows_contact_details_in_the_clear():
    for role, row in ROLE_TABLE.items():
        if role != Role.FULFILMENT:
            assert row.field(FieldGroup.EMAIL) != Policy.CLEAR, role
