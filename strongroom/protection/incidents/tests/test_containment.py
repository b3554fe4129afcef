"""Each containment action: its effect, its audit event, its timeline line, and the
console's owner/security-officer + recent second factor requirement."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from strongroom.protection.access.errors import RevealsFrozen
from strongroom.protection.access.roles import FieldGroup, Role
from strongroom.protection.access.selectors import reveals_frozen
from strongroom.protection.access.services import field_reveal
from strongroom.protection.accounts.models import ApiToken, UserSession
from strongroom.protection.accounts.tokens import api_token_create
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.incidents import containment, services
from strongroom.protection.incidents.errors import IncidentError
from strongroom.protection.incidents.models import EntryKind
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.factories import user_make
from strongroom.testing.staff import console_client, mfa_stamp, staff_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident():
    return services.incident_open(title="t", kind="data_breach", severity="high",
                                  by=staff_make(Role.OWNER))


def _signed_in(user):
    client = console_client(user)
    assert UserSession.objects.filter(user=user).exists()
    return client


def _containment_lines(incident):
    return [e.text for e in incident.entries.filter(kind=EntryKind.CONTAINMENT)]


def test_sign_out_every_staff_member_but_the_one_acting(incident):
    officer = staff_make(Role.SECURITY_OFFICER)
    support = staff_make(Role.SUPPORT)
    support_client = _signed_in(support)
    officer_client = _signed_in(officer)
    mark = audit_mark()
    response = officer_client.post(reverse("console:incident_contain",
                                           args=[incident.pk, "sign-out-staff"]))
    assert response.status_code == 302
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_STAFF_SIGNED_OUT]
    assert not UserSession.objects.filter(user=support).exists()
    assert UserSession.objects.filter(user=officer).exists()
    assert support_client.get(reverse("console:dashboard")).status_code == 302  # to login
    assert officer_client.get(reverse("console:dashboard")).status_code == 200
    assert _containment_lines(incident)[0].startswith("Signed out every staff member")


def test_sign_out_every_customer(incident):
    customer = user_make()
    UserSession.objects.create(user=customer, key_hash="x" * 64)
    staff = staff_make(Role.SUPPORT)
    UserSession.objects.create(user=staff, key_hash="y" * 64)
    mark = audit_mark()
    count = containment.contain_sign_out(incident=incident, by=staff_make(Role.OWNER),
                                         staff=False)
    assert count == 1
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_CUSTOMERS_SIGNED_OUT]
    assert not UserSession.objects.filter(user=customer).exists()
    assert UserSession.objects.filter(user=staff).exists()


def test_force_password_reset_for_the_accounts_in_scope(incident, breach):
    support, _owner, victims, others = breach
    from datetime import timedelta

    from django.utils import timezone

    from strongroom.protection.incidents.scope import ScopeQuery
    now = timezone.now()
    owner = staff_make(Role.OWNER)
    services.incident_scope_record(incident=incident, by=owner, query=ScopeQuery(
        "actor", support.email, now - timedelta(hours=1), now + timedelta(hours=1)))
    mark = audit_mark()
    assert containment.contain_passwords_reset(incident=incident, by=owner) == 30
    events = audit_events_since(mark)
    assert events.count(AuditEvent.PASSWORD_RESET_FORCED) == 30
    assert events[-1] == AuditEvent.CONTAINMENT_PASSWORDS_RESET
    users = get_user_model().objects
    assert all(users.get(pk=v.pk).password_reset_required for v in victims)
    assert not any(users.get(pk=o.pk).password_reset_required for o in others)


def test_password_reset_without_scope_is_refused(incident):
    with pytest.raises(IncidentError, match="scope"):
        containment.contain_passwords_reset(incident=incident, by=staff_make(Role.OWNER))


def test_disable_staff_signs_it_out_and_revokes_tokens(incident):
    officer = staff_make(Role.SECURITY_OFFICER)
    support = staff_make(Role.SUPPORT)
    client = _signed_in(support)
    api_token_create(user=support, name="laptop")
    mark = audit_mark()
    officer_client = console_client(officer)
    response = officer_client.post(reverse("console:incident_contain",
                                           args=[incident.pk, "disable-staff"]),
                                   {"staff_id": str(support.pk)})
    assert response.status_code == 302
    events = audit_events_since(mark)
    assert AuditEvent.STAFF_DISABLED in events and AuditEvent.SESSION_REVOKED in events
    assert events[-1] == AuditEvent.CONTAINMENT_STAFF_DISABLED
    support.refresh_from_db()
    assert not support.is_active
    assert not ApiToken.objects.filter(user=support).exists()
    assert client.get(reverse("console:dashboard")).status_code in (302, 403)
    bad = officer_client.post(reverse("console:incident_contain",
                                      args=[incident.pk, "disable-staff"]), {"staff_id": "x"})
    assert bad.status_code == 400


def test_freeze_stops_reveals_and_is_reversible(incident, settings):
    settings.STRONGROOM_REVEAL_LIMIT = 1000
    owner = staff_make(Role.OWNER)
    customer = user_make()
    mark = audit_mark()
    assert containment.contain_reveals_freeze(incident=incident, by=owner, frozen=True)
    assert not containment.contain_reveals_freeze(incident=incident, by=owner, frozen=True)
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_REVEALS_FROZEN]
    assert reveals_frozen()
    with pytest.raises(RevealsFrozen):
        field_reveal(viewer=owner, subject_id=customer.subject_id, obj=customer,
                     groups=[FieldGroup.EMAIL], reason="ticket")
    assert containment.contain_reveals_freeze(incident=incident, by=owner, frozen=False)
    assert audit_events_since(mark)[-1] == AuditEvent.CONTAINMENT_REVEALS_UNFROZEN
    field_reveal(viewer=owner, subject_id=customer.subject_id, obj=customer,
                 groups=[FieldGroup.EMAIL], reason="ticket")


def test_kek_rotation(incident):
    from strongroom.protection.vault.models import DataKey
    from strongroom.protection.vault.selectors import key_status

    def primary() -> int:
        return next(k.version for k in key_status().kek_versions if k.primary)

    user_make()
    before = primary()
    mark = audit_mark()
    done = containment.contain_kek_rotate(incident=incident, by=staff_make(Role.OWNER))
    after = primary()
    assert after != before and done >= DataKey.objects.count() > 0
    assert set(DataKey.objects.values_list("kek_version", flat=True)) == {after}
    assert audit_events_since(mark)[-1] == AuditEvent.CONTAINMENT_KEK_ROTATED


def test_maintenance_mode_pauses_the_shop_and_reopens_it(incident, client):
    from strongroom.protection.backups.selectors import maintenance_cache_clear, maintenance_state

    assert containment.maintenance_available()
    owner = staff_make(Role.OWNER)
    mark = audit_mark()
    containment.contain_maintenance(incident=incident, by=owner, on=True)
    maintenance_cache_clear()
    assert maintenance_state().enabled
    response = client.get("/", secure=True)
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert audit_events_since(mark) == [AuditEvent.MAINTENANCE_MODE_CHANGED,
                                        AuditEvent.CONTAINMENT_MAINTENANCE]
    containment.contain_maintenance(incident=incident, by=owner, on=False)
    maintenance_cache_clear()
    assert not maintenance_state().enabled
    assert client.get("/", secure=True).status_code == 200


def test_maintenance_is_honestly_unavailable_without_backups(incident, monkeypatch):
    from django.apps import apps

    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed",
                        lambda name: False if name.endswith(".backups") else real(name))
    assert not containment.maintenance_available()
    with pytest.raises(IncidentError, match="not available yet"):
        containment.contain_maintenance(incident=incident, by=staff_make(Role.OWNER), on=True)


def test_console_needs_a_recent_second_factor_and_the_role(incident):
    officer = staff_make(Role.SECURITY_OFFICER)
    client = console_client(officer)
    mfa_stamp(client, at=0)  # a second factor long ago
    url = reverse("console:incident_contain", args=[incident.pk, "freeze"])
    mark = audit_mark()
    response = client.post(url)
    assert response.status_code in (302, 403) and not reveals_frozen()
    assert audit_entries_since(mark) == []
    assert console_client(staff_make(Role.ADMIN)).post(url).status_code == 403
    assert console_client(staff_make(Role.SUPPORT)).post(url).status_code == 403
    assert not reveals_frozen()
    fresh = console_client(officer)
    assert fresh.post(url).status_code == 302 and reveals_frozen()
    assert fresh.post(reverse("console:incident_contain",
                              args=[incident.pk, "explode"])).status_code == 404
