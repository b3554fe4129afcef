"""Notifications: drafts from the scope, owner-only approval, editing withdraws approval,
the customer notice mailed to exactly the customers in scope, once; the 72-hour clock
banner on every console page while an incident is open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.incidents import notices, services
from strongroom.protection.incidents.errors import IncidentError
from strongroom.protection.incidents.jobs import notices_send_task
from strongroom.protection.incidents.models import Delivery, NoticeKind
from strongroom.protection.incidents.scope import ScopeQuery
from strongroom.testing.auditing import audit_events_since, audit_mark
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


def _incident_scoping(support):
    """An incident whose scope is what ``support`` saw in the last hour, and its owner."""
    owner = staff_make(Role.OWNER)
    incident = services.incident_open(title="Support account misused", kind="data_breach",
                                      severity="high", by=owner)
    now = timezone.now()
    services.incident_scope_record(incident=incident, by=owner, query=ScopeQuery(
        "actor", support.email, now - dt.timedelta(hours=1), now + dt.timedelta(hours=1)))
    return incident, owner


@pytest.fixture
def scoped(breach):
    support, _owner, victims, others = breach
    incident, owner = _incident_scoping(support)
    return incident, owner, victims, others


def test_drafts_carry_the_scope(scoped):
    incident, *_ = scoped
    customer, regulator = notices.notices_draft(incident=incident)
    assert "user.contact.email" in customer.body
    assert "data subjects concerned: 30" in regulator.body
    assert notices.notices_draft(incident=incident)[0].pk == customer.pk  # kept, not remade


def test_only_the_owner_approves_and_editing_withdraws_it(scoped):
    incident, owner, *_ = scoped
    customer, _ = notices.notices_draft(incident=incident)
    with pytest.raises(IncidentError, match="owner"):
        notices.notice_approve(notice=customer, by=staff_make(Role.SECURITY_OFFICER))
    mark = audit_mark()
    notices.notice_approve(notice=customer, by=owner)
    notices.notice_edit(notice=customer, by=owner, subject="New subject", body="New text")
    assert audit_events_since(mark) == [AuditEvent.NOTICE_APPROVED, AuditEvent.NOTICE_EDITED]
    customer.refresh_from_db()
    assert customer.approved_at is None
    with pytest.raises(IncidentError, match="approve"):
        notices.notices_send(incident=incident, by=owner)


def test_sent_to_exactly_the_scope_and_only_once(scoped, django_capture_on_commit_callbacks):
    incident, owner, victims, others = scoped
    customer, _ = notices.notices_draft(incident=incident)
    notices.notice_approve(notice=customer, by=owner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_send(incident=incident, by=owner)
    sent_to = sorted(m.to[0] for m in mail.outbox)
    assert sent_to == sorted(v.email for v in victims)
    assert not set(sent_to) & {o.email for o in others}
    assert Delivery.objects.filter(incident=incident, status="sent").count() == 30
    mail.outbox.clear()
    assert notices_send_task(incident_id=str(incident.pk)) == {"sent": 0, "no_account": 0}
    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_send(incident=incident, by=owner)
    assert mail.outbox == []


def test_batches_resume_where_they_stopped(scoped):
    incident, owner, victims, _ = scoped
    customer, _ = notices.notices_draft(incident=incident)
    notices.notice_approve(notice=customer, by=owner)
    mail.outbox.clear()
    first = notices.notices_send_batch(incident_id=str(incident.pk), batch=12)
    assert first == {"sent": 12, "no_account": 0, "left": 18}
    notices_send_task(incident_id=str(incident.pk))
    assert len(mail.outbox) == 30 and len({m.to[0] for m in mail.outbox}) == 30


def test_notices_page(scoped):
    incident, owner, *_ = scoped
    url = reverse("console:incident_notices", args=[incident.pk])
    officer = console_client(staff_make(Role.SECURITY_OFFICER))
    assert officer.get(url).status_code == 200
    refused = officer.post(url, {"action": "approve", "kind": NoticeKind.CUSTOMER})
    assert refused.status_code == 400
    assert officer.post(url, {"action": "send"}).status_code == 400
    assert officer.post(url, {"action": "edit", "kind": "customer", "subject": "",
                              "body": ""}).status_code == 400
    assert officer.post(url, {"action": "nonsense"}).status_code == 404
    client = console_client(owner)
    assert client.post(url, {"action": "approve", "kind": "customer"}).status_code == 302
    assert console_client(staff_make(Role.SUPPORT)).get(url).status_code == 403


def test_clock_banner_on_every_console_page_while_open(scoped):
    incident, owner, *_ = scoped
    client = console_client(owner)
    for name in ("console:dashboard", "console:alerts", "console:incident_list"):
        page = client.get(reverse(name)).content.decode()
        assert 'id="incident-clock"' in page
        assert incident.deadline.strftime("%Y-%m-%d %H:%M") in page
    support = console_client(staff_make(Role.SUPPORT))
    assert 'id="incident-clock"' not in support.get(reverse("console:dashboard")).content.decode()
    for _ in range(5):
        services.incident_advance(incident=incident, by=owner)  # ... closed
    assert 'id="incident-clock"' not in client.get(reverse("console:dashboard")).content.decode()


def test_a_guest_in_scope_is_told_at_the_address_of_their_order(
        breach, django_capture_on_commit_callbacks):
    """A guest checkout has a subject of its own and no account: the notice goes to the
    address on its order (Art. 34 is owed to every data subject, not only to accounts)."""
    from django.test import RequestFactory

    from strongroom.commerce.cart.services import cart_create, cart_line_add
    from strongroom.commerce.checkout.services import order_place
    from strongroom.protection.access.roles import FieldGroup
    from strongroom.protection.access.services import field_reveal
    from strongroom.testing.factories import details_make, product_make

    support, *_ = breach
    cart, _ = cart_create()
    cart_line_add(cart=cart, variant_id=product_make().variants.get().pk, quantity=1)
    order, _ = order_place(cart=cart, details=details_make(email="gus.guest@example.test"),
                           shipping_method="standard")
    field_reveal(viewer=support, subject_id=order.subject_id, obj=order,
                 groups=[FieldGroup.EMAIL], reason="ticket",
                 request=RequestFactory().get("/", REMOTE_ADDR="203.0.113.7"))
    incident, owner = _incident_scoping(support)
    customer, _ = notices.notices_draft(incident=incident)
    notices.notice_approve(notice=customer, by=owner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_send(incident=incident, by=owner)
    assert "gus.guest@example.test" in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 31
    assert Delivery.objects.get(incident=incident, subject_id=order.subject_id).status == "sent"
