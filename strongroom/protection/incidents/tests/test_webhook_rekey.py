"""Rolling a payment gateway's webhook secret from the incident page. The attack: whoever
holds the leaked secret forges "paid" webhooks. After the roll the old secret is accepted
only for the grace (so the gateway's genuine deliveries are not lost), then refused; the
new secret is accepted; a forgery is refused throughout; the new secret is shown once."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from strongroom.config import PaymentConfig, payments_load, sandbox_credentials_create
from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.incidents import services, webhook_rekey
from strongroom.protection.incidents.errors import IncidentError
from strongroom.protection.incidents.models import TimelineEntry
from strongroom.sandbox.tests.kit import path_of, sandbox_start
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.staff import HttpsClient, console_client, mfa_stamp, staff_make

pytestmark = pytest.mark.django_db
OLD = "whsec_" + "o" * 43
DAY = 24 * 3600


@pytest.fixture
def incident():
    return services.incident_open(title="t", kind="card_skimming", severity="high",
                                  by=staff_make(Role.OWNER))


@pytest.fixture
def stored(settings):
    """The sandbox gateway configured from the data directory's credentials file."""
    path = Path(django_settings.STRONGROOM_DATA_DIR) / "sandbox-credentials.json"
    assert not path.exists()
    path.write_text(json.dumps({"api_key": "sk_sandbox_x", "webhook_secret": OLD}))
    path.chmod(0o600)
    settings.STRONGROOM_PAYMENTS = PaymentConfig(
        gateway="sandbox", sandbox_url="https://127.0.0.1:9", sandbox_api_key="sk_sandbox_x",
        sandbox_webhook_secret=OLD)
    settings.STRONGROOM_TLS_CA = None  # webhooks only: the gateway itself is never called
    yield path
    path.unlink()
    assert list(path.parent.glob(".sandbox-credentials.json.*")) == []  # no staged leftover


def deliver(secret: str) -> int:
    """One sandbox webhook (well-formed, about no payment of ours) signed with ``secret``."""
    body = json.dumps({"id": "evt_" + secrets.token_hex(8), "type": "checkout.session.expired",
                       "data": {"object": {"object": "note"}}}).encode()
    stamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return HttpsClient().post("/payments/webhooks/sandbox/", data=body,
                              content_type="application/json",
                              HTTP_SANDBOX_SIGNATURE=f"t={stamp},v1={mac}").status_code


def contain(client, incident, action: str, gateway: str = "sandbox"):
    return client.post(reverse("console:incident_contain", args=[incident.pk, action]),
                       {"gateway": gateway})


def test_roll_new_accepted_old_for_the_grace_forged_never_and_shown_once(
        incident, stored, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    forged = "whsec_" + secrets.token_urlsafe(32)
    assert deliver(OLD) == 200 and deliver(forged) == 400
    owner = console_client(staff_make(Role.OWNER))
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = contain(owner, incident, "rotate-webhook-secret")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_WEBHOOK_SECRET_ROTATED]
    data = json.loads(stored.read_text())
    new = data["webhook_secret"]
    assert new != OLD and new.startswith("whsec_") and data["api_key"] == "sk_sandbox_x"
    assert stored.stat().st_mode & 0o077 == 0
    assert new.encode() in response.content  # shown this once
    # The grace: the gateway's deliveries signed with the old secret still land.
    assert deliver(new) == 200 and deliver(OLD) == 200 and deliver(forged) == 400
    # Never again: not in the page, an audit event, the timeline, a log line.
    page = owner.get(reverse("console:incident_detail", args=[incident.pk]))
    assert page.status_code == 200 and new.encode() not in page.content
    assert b"old secret accepted until" in page.content
    assert not any(new in e.reason or OLD in e.reason for e in AuditEntry.objects.all())
    assert not TimelineEntry.objects.filter(text__contains=new).exists()
    assert incident.entries.filter(text__startswith="Rolled the sandbox webhook secret").exists()
    assert new not in caplog.text and OLD not in caplog.text


def test_old_secret_refused_once_the_grace_is_over(incident, stored,
                                                   django_capture_on_commit_callbacks):
    owner = staff_make(Role.OWNER)
    forged = "whsec_" + secrets.token_urlsafe(32)
    with django_capture_on_commit_callbacks(execute=True):  # rolled 25 hours ago
        new = webhook_rekey.contain_webhook_secret_rotate(
            incident=incident, by=owner, gateway="sandbox", now=time.time() - DAY - 3600)
    assert deliver(OLD) == 400 and deliver(forged) == 400 and deliver(new) == 200


def test_the_owner_ends_the_grace_early(incident, stored, django_capture_on_commit_callbacks):
    owner = console_client(staff_make(Role.OWNER))
    with django_capture_on_commit_callbacks(execute=True):
        contain(owner, incident, "rotate-webhook-secret")
    new = json.loads(stored.read_text())["webhook_secret"]
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = contain(owner, incident, "end-webhook-grace")
    assert response.status_code == 302
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_WEBHOOK_GRACE_ENDED]
    assert deliver(OLD) == 400 and deliver(new) == 200
    assert "previous_webhook_secret" not in json.loads(stored.read_text())
    mark = audit_mark()
    assert contain(owner, incident, "end-webhook-grace").status_code == 400  # nothing to end
    assert audit_entries_since(mark) == []


def test_secrets_from_the_environment_and_stripe_are_refused_clearly(incident, settings):
    settings.STRONGROOM_PAYMENTS = PaymentConfig(
        gateway="sandbox", sandbox_api_key="k", sandbox_webhook_secret=OLD,
        sandbox_webhook_secret_from_env=True, stripe_secret_key="sk_test_x",
        stripe_webhook_secret="whsec_stripe")
    owner = console_client(staff_make(Role.OWNER))
    mark = audit_mark()
    response = contain(owner, incident, "rotate-webhook-secret")
    assert response.status_code == 400
    assert b"STRONGROOM_SANDBOX_WEBHOOK_SECRET" in response.content
    response = contain(owner, incident, "rotate-webhook-secret", gateway="stripe")
    assert response.status_code == 400 and b"Stripe dashboard" in response.content
    assert audit_entries_since(mark) == []
    with pytest.raises(IncidentError):
        webhook_rekey.contain_webhook_secret_rotate(incident=incident, by=staff_make(Role.OWNER),
                                                    gateway="sandbox")


def test_bad_or_unknown_gateway_is_a_4xx_and_the_role_and_second_factor_are_needed(
        incident, stored):
    owner = console_client(staff_make(Role.OWNER))
    support = console_client(staff_make(Role.SUPPORT))
    stale = console_client(staff_make(Role.SECURITY_OFFICER))
    mfa_stamp(stale, at=0)  # a second factor long ago
    mark = audit_mark()
    assert contain(owner, incident, "rotate-webhook-secret", gateway="paypal").status_code == 404
    assert contain(owner, incident, "rotate-webhook-secret", gateway="").status_code == 404
    assert contain(owner, incident, "end-webhook-grace", gateway="x" * 5000).status_code == 404
    # Stripe is not configured here: nothing to roll.
    assert contain(owner, incident, "rotate-webhook-secret", gateway="stripe").status_code == 400
    assert contain(owner, incident, "end-webhook-grace").status_code == 400
    assert contain(support, incident, "rotate-webhook-secret").status_code == 403
    assert contain(stale, incident, "rotate-webhook-secret").status_code in (302, 403)
    assert audit_entries_since(mark) == []
    assert json.loads(stored.read_text())["webhook_secret"] == OLD


def test_in_an_exercise_the_roll_is_rehearsed_not_executed(stored):
    owner = staff_make(Role.OWNER)
    drill = services.incident_open(title="drill", kind="card_skimming", severity="high",
                                   by=owner, exercise=True)
    before = stored.read_text()
    mark = audit_mark()
    assert webhook_rekey.contain_webhook_secret_rotate(incident=drill, by=owner,
                                                       gateway="sandbox") == ""
    webhook_rekey.contain_webhook_grace_end(incident=drill, by=owner, gateway="sandbox")
    assert audit_events_since(mark) == [AuditEvent.EXERCISE_ACTION_REHEARSED] * 2
    assert stored.read_text() == before
    assert deliver(OLD) == 200


def test_a_second_roll_drops_the_first_old_secret(incident, stored,
                                                  django_capture_on_commit_callbacks):
    owner = staff_make(Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        first = webhook_rekey.contain_webhook_secret_rotate(incident=incident, by=owner,
                                                            gateway="sandbox")
    with django_capture_on_commit_callbacks(execute=True):
        second = webhook_rekey.contain_webhook_secret_rotate(incident=incident, by=owner,
                                                             gateway="sandbox")
    assert len({OLD, first, second}) == 3
    assert deliver(OLD) == 400 and deliver(first) == 200 and deliver(second) == 200


def test_where_the_sandbox_secret_comes_from(tmp_path):
    env = {"STRONGROOM_PAYMENT_GATEWAY": "sandbox", "STRONGROOM_SANDBOX_API_KEY": "k"}
    sandbox_credentials_create(tmp_path)
    assert not payments_load(env, tmp_path).sandbox_webhook_secret_from_env
    from_env = payments_load({**env, "STRONGROOM_SANDBOX_WEBHOOK_SECRET": "s"}, tmp_path)
    assert from_env.sandbox_webhook_secret_from_env and from_env.sandbox_webhook_secret == "s"


def test_the_sandbox_gateway_signs_with_the_rolled_secret_without_a_restart(
        incident, stored, settings, tmp_path, django_capture_on_commit_callbacks):
    """The real sandbox gateway re-reads the credentials file it shares with the store:
    after the roll its deliveries carry the new secret, and still land once the old one
    is refused."""
    statuses = []

    def to_store(url, body, headers):
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                 if k.lower() != "content-type"}
        statuses.append(HttpsClient().post(path_of(url), data=body,
                                           content_type="application/json", **extra))
        return statuses[-1].status_code

    box = sandbox_start(tmp_path, sender=to_store, credentials_file=stored)
    try:
        stored.write_text(json.dumps({"api_key": box.api_key, "webhook_secret": OLD}))
        settings.STRONGROOM_PAYMENTS = PaymentConfig(
            gateway="sandbox", sandbox_url=box.url, sandbox_api_key=box.api_key,
            sandbox_webhook_secret=OLD)
        settings.STRONGROOM_TLS_CA = box.ca
        owner = staff_make(Role.OWNER)
        with django_capture_on_commit_callbacks(execute=True):
            new = webhook_rekey.contain_webhook_secret_rotate(incident=incident, by=owner,
                                                              gateway="sandbox")
        with django_capture_on_commit_callbacks(execute=True):
            webhook_rekey.contain_webhook_grace_end(incident=incident, by=owner,
                                                    gateway="sandbox")
        with box.db.write() as conn:
            box.db.event_add(conn, "note.created", {"object": "note"})
        assert box.deliver() == 1 and statuses[-1].status_code == 200
        assert deliver(OLD) == 400 and deliver(new) == 200
    finally:
        box.running.stop()
