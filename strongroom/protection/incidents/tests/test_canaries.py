"""Canary records: planted like real customers, told apart only through the vault's keys;
any staff view or reveal and any sign-in attempt naming one raises the high alert,
audits the trip and drafts an incident, within the request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import FieldGroup, Role
from strongroom.protection.access.services import field_reveal
from strongroom.protection.alerts.models import Alert
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.incidents import canaries, services
from strongroom.protection.incidents.errors import IncidentError
from strongroom.protection.incidents.models import Canary, Incident
from strongroom.protection.incidents.scope import ScopeQuery
from strongroom.protection.vault.selectors import key_status
from strongroom.protection.vault.services import index_key_retire, index_key_rotate
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.factories import user_make
from strongroom.testing.staff import HttpsClient, console_client, staff_make

pytestmark = pytest.mark.django_db

TRIPPED = [AuditEvent.CANARY_TRIPPED, AuditEvent.INCIDENT_OPENED]


@pytest.fixture
def canary():
    canaries.canaries_plant(count=1, domain="mail.shop.example", by=None)
    return get_user_model().objects.get(subject_id__in=canaries.canary_subject_ids())


def test_plant_makes_ordinary_customers_marked_only_by_a_keyed_tag():
    owner = staff_make(Role.OWNER)
    mark = audit_mark()
    assert canaries.canaries_plant(count=3, domain="Mail.Shop.Example", by=owner) == 3
    assert audit_events_since(mark) == [AuditEvent.CANARIES_PLANTED]
    assert audit_entries_since(mark)[0].reason == "3 canaries planted"
    planted = get_user_model().objects.filter(subject_id__in=canaries.canary_subject_ids())
    assert planted.count() == 3 == Canary.objects.count()
    for user in planted:
        assert not user.is_staff and user.is_active and user.has_usable_password()
        assert str(user.email).endswith("@mail.shop.example") and str(user.full_name)
        assert user.password_changed_at == user.date_joined  # like a sign-up
    # The dump: no column of the canary table holds a customer's subject id or account id.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM incidents_canary")
        dumped = repr(cursor.fetchall())
    for user in planted:
        assert str(user.subject_id) not in dumped and str(user.pk) not in dumped
        assert user.subject_id.hex not in dumped


@pytest.mark.parametrize(("count", "domain", "message"), [
    (0, "shop.example", "between 1 and 50"), (51, "shop.example", "between 1 and 50"),
    (1, "localhost", "not a mail domain"), (1, "a@b.example", "not a mail domain")])
def test_plant_refuses_bad_input(count, domain, message):
    mark = audit_mark()
    with pytest.raises(IncidentError, match=message):
        canaries.canaries_plant(count=count, domain=domain, by=None)
    assert audit_entries_since(mark) == [] and not Canary.objects.exists()


def test_staff_view_of_a_canary_alerts_audits_and_drafts_an_incident(canary):
    support = staff_make(Role.SUPPORT)
    client = console_client(support)
    mark = audit_mark()
    url = reverse("console:customer_detail", args=[canary.pk])
    assert client.get(url).status_code == 200
    assert audit_events_since(mark) == [AuditEvent.CUSTOMER_VIEWED, *TRIPPED]
    alert = Alert.objects.get(kind=canaries.ALERT_KIND)
    assert alert.severity == "high" and alert.detail["staff_id"] == str(support.pk)
    incident = Incident.objects.get(alert_id=alert.pk)
    assert incident.actor_id == str(support.pk) and incident.kind == "data_breach"
    # Again: the trip is audited each time, counted on the open alert, one incident.
    mark = audit_mark()
    assert client.get(url).status_code == 200
    assert audit_events_since(mark) == [AuditEvent.CUSTOMER_VIEWED, AuditEvent.CANARY_TRIPPED]
    alert.refresh_from_db()
    assert alert.count == 2 and Incident.objects.count() == 1


def test_a_reveal_of_a_canary_trips(canary, settings):
    settings.STRONGROOM_REVEAL_LIMIT = 1000
    owner = staff_make(Role.OWNER)
    mark = audit_mark()
    field_reveal(viewer=owner, subject_id=canary.subject_id, obj=canary,
                 groups=[FieldGroup.EMAIL], reason="ticket")
    assert audit_events_since(mark) == [AuditEvent.FIELD_REVEALED, *TRIPPED]


def test_a_sign_in_attempt_with_a_canarys_email_trips(canary):
    mark = audit_mark()
    response = HttpsClient().post("/account/login/", {
        "username": str(canary.email).upper(), "password": "guessed password 123"})
    assert response.status_code in (200, 400)
    assert audit_events_since(mark) == [AuditEvent.LOGIN_FAILED, *TRIPPED]
    alert = Alert.objects.get(kind=canaries.ALERT_KIND)
    assert alert.severity == "high" and "login failed" in alert.summary
    assert Incident.objects.filter(alert_id=alert.pk).exists()


def test_real_customers_and_routine_browsing_do_not_trip(canary):
    real = user_make()
    client = console_client(staff_make(Role.SUPPORT))
    mark = audit_mark()
    assert client.get(reverse("console:customer_detail", args=[real.pk])).status_code == 200
    listing = client.get(reverse("console:customer_list"))
    assert listing.status_code == 200
    events = audit_events_since(mark)
    assert AuditEvent.CANARY_TRIPPED not in events and set(events) == {
        AuditEvent.CUSTOMER_VIEWED}
    assert not any(e.subject_id == str(canary.subject_id) for e in audit_entries_since(mark))
    assert not Alert.objects.filter(kind=canaries.ALERT_KIND).exists()
    # Looking the canary up by its exact address is not routine: it trips.
    mark = audit_mark()
    found = client.get(reverse("console:customer_list"), {"q": str(canary.email)})
    assert found.status_code == 200
    assert audit_events_since(mark) == [AuditEvent.CUSTOMER_VIEWED, *TRIPPED]


def test_the_breach_scope_leaves_canaries_out(canary, settings):
    settings.STRONGROOM_REVEAL_LIMIT = 1000
    support = staff_make(Role.SUPPORT)
    victim = user_make()
    for person in (victim, canary):
        field_reveal(viewer=support, subject_id=person.subject_id, obj=person,
                     groups=[FieldGroup.EMAIL], reason="ticket")
    incident = Incident.objects.get()  # drafted by the trip
    now = timezone.now()
    affected = services.incident_scope_record(
        incident=incident, by=staff_make(Role.OWNER),
        query=ScopeQuery("actor", str(support.email), now - dt.timedelta(hours=1),
                         now + dt.timedelta(hours=1)))
    assert [a.subject_id for a in affected] == [victim.subject_id]
    assert list(incident.scope.values_list("subject_id", flat=True)) == [victim.subject_id]
    assert incident.entries.filter(text__contains="1 canary records touched").exists()


def test_canaries_survive_an_index_key_rotation(canary):
    old = next(v.version for v in key_status().index_versions if v.primary)
    index_key_rotate()
    index_key_retire(version=old)
    canaries.canaries_cache_clear()
    assert canaries.canary_is(subject_id=canary.subject_id)
    assert not Canary.objects.filter(tag__startswith=f"{old}$").exists()


def test_command_plants_and_lists(capsys):
    call_command("incidents", "canaries", "plant", "2", "--domain", "shop.example")
    call_command("incidents", "canaries", "list")
    out = capsys.readouterr().out
    assert "2 canaries planted" in out
    assert out.count("@shop.example") == 2
    with pytest.raises(CommandError, match="between 1 and 50") as exc:
        call_command("incidents", "canaries", "plant", "0", "--domain", "shop.example")
    assert exc.value.returncode == 2
