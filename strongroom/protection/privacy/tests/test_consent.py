"""Consent with proof; withdrawing through the emailed link, without signing in."""

from __future__ import annotations

import pytest
from django.core import mail, signing

from strongroom.protection.access.selectors import marketing_consent_of
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.selectors import audit_search
from strongroom.protection.privacy import selectors, services
from strongroom.protection.privacy.errors import PrivacyError, PrivacyErrorCode
from strongroom.protection.privacy.models import ConsentRecord, PolicyVersion
from strongroom.testing.factories import user_make

pytestmark = pytest.mark.django_db


def test_consent_proof_records_the_wording_and_policy_version_shown() -> None:
    user = user_make()
    record = services.consent_set(user=user, purpose="marketing_email", agreed=True,
                                  method="signup")
    version = PolicyVersion.objects.get()
    assert record.wording == services.CONSENT_WORDING["marketing_email"]
    assert record.policy_version == version and record.method == "signup"
    assert record.subject_id == user.subject_id and record.agreed
    assert marketing_consent_of(user=user).agreed  # the marketing role's scope follows
    # a repeated answer is no new event
    assert services.consent_set(user=user, purpose="marketing_email", agreed=True,
                                method="account") is None
    services.consent_set(user=user, purpose="marketing_email", agreed=False, method="account")
    history = list(selectors.consent_history(user=user))
    assert [(c.agreed, c.method) for c in history] == [(False, "account"), (True, "signup")]
    events = [e.event for e in audit_search(subject_id=user.subject_id)
              if e.event in (AuditEvent.CONSENT_GIVEN, AuditEvent.CONSENT_WITHDRAWN)]
    assert events == [AuditEvent.CONSENT_WITHDRAWN, AuditEvent.CONSENT_GIVEN]  # newest first


def test_unknown_purpose_is_refused() -> None:
    with pytest.raises(PrivacyError):
        services.consent_set(user=user_make(), purpose="tracking", agreed=True,
                             method="account")


def test_marketing_email_only_with_consent_and_always_with_a_working_unsubscribe() -> None:
    user = user_make()
    assert services.marketing_email_send(user=user, subject="Sale", body="Hi") is False
    services.consent_set(user=user, purpose="marketing_email", agreed=True, method="account")
    mail.outbox.clear()
    assert services.marketing_email_send(user=user, subject="Sale", body="Hi")
    message = mail.outbox[-1]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body and link.startswith("https://")
    token = link.rstrip("/").rsplit("/", 1)[1]
    record = services.unsubscribe(token=token)
    assert record.method == "email_link" and not record.agreed
    assert not marketing_consent_of(user=user).agreed
    assert services.marketing_email_send(user=user, subject="Sale", body="Hi") is False


def test_tampered_or_foreign_tokens_change_nothing() -> None:
    user = user_make()
    services.consent_set(user=user, purpose="marketing_email", agreed=True, method="account")
    token = services.unsubscribe_token(user=user)
    bad = [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "", "x" * 40,
           signing.dumps({"u": str(user.pk), "p": "marketing_email"}, salt="other.purpose"),
           signing.dumps({"u": str(user.pk), "p": "everything"},
                         salt=services.UNSUBSCRIBE_SALT)]
    for value in bad:
        with pytest.raises(PrivacyError) as info:
            services.unsubscribe(token=value)
        assert info.value.code == PrivacyErrorCode.BAD_TOKEN
    assert marketing_consent_of(user=user).agreed
    assert ConsentRecord.objects.filter(user=user).count() == 1


def test_policy_versions_and_changes() -> None:
    first = services.policy_publish()
    assert services.policy_publish() == first  # nothing changed: same version
    owner = user_make(staff=True)
    services.policy_section_save(by=owner, title="Who we are", body="A small shop in Kiel.")
    second = PolicyVersion.objects.order_by("-number").first()
    assert second.number == first.number + 1 and second.sha256 != first.sha256
    changes = services.policy_changes(version=second)
    assert "+## Who we are" in changes and "+A small shop in Kiel." in changes
    assert "user.contact.email" not in second.text  # human words, from the taxonomy
    assert "contact / email" in second.text
    assert "essential cookies" in second.text
