"""Replacing credentials from the incident page: every API token revoked (a stolen one
is refused at once), and the secret key rotated without a fallback (an old session and a
value signed with the old key are refused)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.protection.accounts.models import ApiToken, UserSession
from strongroom.protection.accounts.tokens import api_token_create
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.incidents import rekey, services
from strongroom.protection.incidents.errors import IncidentError
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.factories import user_make
from strongroom.testing.staff import HttpsClient, console_client, staff_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident():
    return services.incident_open(title="t", kind="data_breach", severity="high",
                                  by=staff_make(Role.OWNER))


def test_every_api_token_revoked_and_a_stolen_one_refused(incident):
    alice, bob = user_make(), user_make()
    _, stolen = api_token_create(user=alice, name="phone")
    api_token_create(user=alice, name="laptop")
    api_token_create(user=bob, name="script")
    api = HttpsClient()
    auth = {"Authorization": f"Bearer {stolen}"}
    assert api.get("/api/orders", headers=auth).status_code == 200
    officer = staff_make(Role.SECURITY_OFFICER)
    client = console_client(officer)
    mark = audit_mark()
    response = client.post(reverse("console:incident_contain",
                                   args=[incident.pk, "revoke-api-tokens"]))
    assert response.status_code == 302
    assert audit_events_since(mark) == [AuditEvent.API_TOKEN_REVOKED,
                                        AuditEvent.API_TOKEN_REVOKED,
                                        AuditEvent.CONTAINMENT_API_TOKENS_REVOKED]
    assert {e.subject_id for e in audit_entries_since(mark)[:2]} == {
        str(alice.subject_id), str(bob.subject_id)}
    assert not ApiToken.objects.exists()
    assert api.get("/api/orders", headers=auth).status_code == 401
    assert incident.entries.filter(text__startswith="Revoked every API token: 3 tokens").exists()


@pytest.fixture
def key_file(settings):
    """The secret key read from the data directory's file (tests set it by environment)."""
    settings.SECRET_KEY = django_settings.SECRET_KEY  # restored after the test
    settings.SECRET_KEY_FALLBACKS = ["an-older-key-" + "x" * 50]
    path = Path(django_settings.STRONGROOM_DATA_DIR) / "secret_key"
    assert not path.exists()
    path.write_text(django_settings.SECRET_KEY)
    path.chmod(0o600)
    yield path
    path.unlink()
    assert not path.with_name("secret_key_fallbacks").exists()  # none written after a leak


def test_secret_key_rotation_refuses_old_sessions_and_old_signatures(
        incident, key_file, django_capture_on_commit_callbacks):
    old_key = django_settings.SECRET_KEY
    forged_later = signing.dumps({"user": "x"}, key=old_key)  # what a thief with the key signs
    customer = user_make()
    shopper = HttpsClient()
    shopper.force_login(customer)
    support_client = console_client(staff_make(Role.SUPPORT))
    owner_client = console_client(staff_make(Role.OWNER))
    assert shopper.get("/account/").status_code == 200
    assert support_client.get(reverse("console:dashboard")).status_code == 200
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("console:incident_contain",
                                             args=[incident.pk, "rotate-secret-key"]))
    assert response.status_code == 302
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_SECRET_KEY_ROTATED]
    new_key = key_file.read_text()
    assert new_key != old_key and len(new_key) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    assert django_settings.SECRET_KEY == new_key and django_settings.SECRET_KEY_FALLBACKS == []
    assert not UserSession.objects.exists()
    # The attack: an old session, and a value signed with the leaked key.
    assert support_client.get(reverse("console:dashboard")).status_code == 302
    assert owner_client.get(reverse("console:dashboard")).status_code == 302
    assert shopper.get("/account/").status_code == 302
    with pytest.raises(signing.BadSignature):
        signing.loads(forged_later)
    assert list(key_file.parent.glob(".secret_key.*")) == []


def test_secret_key_from_the_environment_is_refused_clearly(incident):
    # No key file in the data directory: the key came from the environment.
    assert not (Path(django_settings.STRONGROOM_DATA_DIR) / "secret_key").exists()
    before = django_settings.SECRET_KEY
    client = console_client(staff_make(Role.OWNER))
    mark = audit_mark()
    response = client.post(reverse("console:incident_contain",
                                   args=[incident.pk, "rotate-secret-key"]))
    assert response.status_code == 400
    assert b"STRONGROOM_SECRET_KEY" in response.content
    assert audit_entries_since(mark) == [] and django_settings.SECRET_KEY == before
    assert UserSession.objects.exists()
    with pytest.raises(IncidentError):
        rekey.contain_secret_key_rotate(incident=incident, by=staff_make(Role.OWNER))


def test_in_an_exercise_both_are_rehearsed_not_executed(key_file):
    owner = staff_make(Role.OWNER)
    drill = services.incident_open(title="drill", kind="data_breach", severity="high",
                                   by=owner, exercise=True)
    api_token_create(user=user_make())
    mark = audit_mark()
    assert rekey.contain_api_tokens_revoke(incident=drill, by=owner) == 0
    assert rekey.contain_secret_key_rotate(incident=drill, by=owner) == 0
    assert audit_events_since(mark) == [AuditEvent.EXERCISE_ACTION_REHEARSED] * 2
    assert ApiToken.objects.exists() and key_file.read_text() == django_settings.SECRET_KEY
