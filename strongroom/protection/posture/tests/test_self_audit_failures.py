"""The self-audit checks that test_self_audit.py saw only pass: each fails (or warns)
for its own reason on a store set up badly. The store is really set up badly (settings,
rows, key and certificate files, the clock); two values a changed install would change
are patched (the staff lockout constant, strongroom's declared requirements)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata as md
import os
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from strongroom.commerce.payments.models import PaymentAlert
from strongroom.protection.access.roles import Role
from strongroom.protection.accounts.throttling import throttle
from strongroom.protection.alerts.models import Alert
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.incidents.models import Kind, Playbook
from strongroom.protection.people.models import Vendor
from strongroom.protection.posture.internal.checks.registry import (
    CHECKS,
    Context,
    check_run,
    checks_load,
)
from strongroom.protection.posture.internal.eos import PYTHON_EOS
from strongroom.protection.posture.models import AuditRun
from strongroom.protection.vault.models import DataKey, DataKeyState, Subject
from strongroom.protection.vault.selectors import kek_created_at, key_status
from strongroom.protection.vault.tls import tls_ensure
from strongroom.testing.staff import staff_make

from .test_self_audit import store_dir  # noqa: F401 - the fixture, shared

pytestmark = pytest.mark.django_db


def run(check_id: str, *, now: dt.datetime | None = None) -> tuple[str, str]:
    checks_load()
    result = check_run(CHECKS[check_id], Context(now=now or timezone.now()))
    return result.status, result.detail


def _accounts(**changes) -> dict:
    return {"STRONGROOM_ACCOUNTS": dataclasses.replace(settings.STRONGROOM_ACCOUNTS, **changes)}


@pytest.mark.parametrize(("overrides", "check_id", "status", "reason"), [
    ({"MIDDLEWARE": [m for m in settings.MIDDLEWARE if "StaffMfa" not in m]},
     "mfa.enforced", "fail", "not in MIDDLEWARE"),
    ({"AUTH_PASSWORD_VALIDATORS": [v for v in settings.AUTH_PASSWORD_VALIDATORS
                                   if "Common" not in v["NAME"]]},
     "passwords.common", "fail", "CommonPasswordValidator"),
    ({"SECURE_CONTENT_TYPE_NOSNIFF": False}, "headers.nosniff", "fail", "header missing"),
    ({"SECURE_REFERRER_POLICY": "unsafe-url"}, "headers.referrer", "fail", "unsafe-url"),
    ({"SECURE_HSTS_SECONDS": 0}, "config.deploy", "fail", "security.W004"),
    ("customer_password_min=8", "passwords.customer_length", "warn", "customer minimum 8"),
    ("staff_session_hours=48", "sessions.absolute", "warn", "long-lived"),
])
def test_a_setting_set_badly_fails_its_check(store_dir, overrides,  # noqa: F811
                                             check_id, status, reason):
    if isinstance(overrides, str):
        name, value = overrides.split("=")
        overrides = _accounts(**{name: int(value)})
    assert reason not in run(check_id)[1]  # the test store is good on this point
    with override_settings(**overrides):
        got, detail = run(check_id)
    assert got == status and reason in detail, detail


def test_the_sandbox_payment_gateway_is_a_warning(store_dir):  # noqa: F811
    payments = dataclasses.replace(settings.STRONGROOM_PAYMENTS, gateway="sandbox")
    with override_settings(STRONGROOM_PAYMENTS=payments):
        status, detail = run("payments.live_gateway")
    assert status == "warn" and "payments.W001" in detail


def test_a_weaker_staff_lockout_fails(store_dir, monkeypatch):  # noqa: F811
    assert run("signin.lockout")[0] == "pass"
    monkeypatch.setattr(throttle, "STAFF_LOCK_AFTER", 50)  # a store that loosened it
    assert run("signin.lockout") == ("fail", f"locked after 50 for "
                                             f"{throttle.STAFF_LOCK_SECONDS // 60} min")


def test_old_open_alerts_fail(store_dir):  # noqa: F811
    assert run("alerts.open")[0] == "pass" and run("signin.alerts")[0] == "pass"
    alert_raise(kind="backups.failed", source="backups", severity="high", summary="s")
    alert_raise(kind="signin.stuffing", source="accounts", severity="medium", summary="s")
    assert run("alerts.open")[0] == "pass"  # a fresh alert has a day to be handled
    Alert.objects.update(first_seen=timezone.now() - dt.timedelta(days=8))
    assert run("alerts.open") == ("fail", "1 high/critical alert(s) open for more than a day")
    assert run("signin.alerts") == ("fail", "1 sign-in alert(s) open for more than 7 days")


def test_an_open_payment_page_alert_fails(store_dir):  # noqa: F811
    assert run("payments.page_alerts")[0] == "pass"
    PaymentAlert.objects.create(kind=PaymentAlert.Kind.PAGE_CHANGED, subject="checkout",
                                message="a script changed")
    status, detail = run("payments.page_alerts")
    assert status == "fail" and detail.startswith("1 open payment alert")


def test_self_audit_history(store_dir):  # noqa: F811
    AuditRun.objects.all().delete()
    assert run("audits.self_audit")[0] == "warn"  # the first one
    AuditRun.objects.create(at=timezone.now() - dt.timedelta(days=40), score=80, counts={},
                            report={})
    status, detail = run("audits.self_audit")
    assert status == "fail" and detail.startswith("previous self-audit")


def test_end_of_support_warns_90_days_ahead_then_fails():
    ends = PYTHON_EOS[f"{sys.version_info[0]}.{sys.version_info[1]}"]
    status, detail = run("patch.end_of_support", now=_at(ends - dt.timedelta(days=30)))
    assert status in ("warn", "fail") and "(30 days): plan the upgrade" in detail
    status, detail = run("patch.end_of_support", now=_at(ends + dt.timedelta(days=1)))
    assert status == "fail" and "gets no security fixes" in detail


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def test_an_old_key_encryption_key_fails_and_an_env_key_is_not_applicable(store_dir):  # noqa: F811
    primary = next(k.version for k in key_status().kek_versions if k.primary)
    assert run("keys.age")[0] == "pass"
    born = kek_created_at(version=primary)
    assert born is not None and (timezone.now() - born).days < 365
    path = store_dir / "keys" / f"kek-{primary}.key"
    old = (timezone.now() - dt.timedelta(days=400)).timestamp()
    os.utime(path, (old, old))
    status, detail = run("keys.age")
    assert status == "fail" and "400 days old" in detail and "keys rotate" in detail
    with override_settings(STRONGROOM_KEK="A" * 43 + "="):
        assert kek_created_at(version=1) is None
        assert run("keys.age")[0] == "n/a"


def test_data_keys_of_a_missing_or_retiring_version(store_dir):  # noqa: F811
    assert run("keys.present")[0] == "pass"
    subject = Subject.objects.create()
    DataKey.objects.create(subject=subject, kek_version=99, wrapped=b"\0" * 60)
    status, detail = run("keys.present")
    assert status == "fail" and "[99]" in detail and "cannot be read" in detail
    DataKey.objects.filter(kek_version=99).update(state=DataKeyState.RETIRING)
    status, detail = run("keys.rotation_finished")
    assert status == "warn" and "being retired" in detail


def test_the_certificate_served_expires(store_dir):  # noqa: F811
    assert run("https.certificate")[0] == "n/a"  # no certificate in the data directory
    tls_ensure(data_dir=store_dir, allowed_hosts=["localhost"])
    status, detail = run("https.certificate")
    assert status == "pass" and "more days" in detail
    assert run("https.certificate", now=timezone.now() + dt.timedelta(days=80))[0] == "warn"
    status, detail = run("https.certificate", now=timezone.now() + dt.timedelta(days=120))
    assert status == "fail" and "expired" in detail


def test_an_incident_type_without_steps_fails_the_plan(store_dir):  # noqa: F811
    assert run("incidents.plan")[0] == "pass"
    Playbook.objects.create(kind=Kind.DATA_BREACH, text="call someone, I guess\n")
    assert run("incidents.plan") == ("fail", "no playbook steps for: data_breach")


def test_no_completed_access_review_fails(store_dir):  # noqa: F811
    status, detail = run("access.review")
    assert status == "fail" and "access review" in detail


def test_untrained_staff_fail_training(store_dir):  # noqa: F811
    staff_make(Role.SUPPORT)
    assert run("training.current")[0] == "pass"
    staff_make(Role.SUPPORT, trained=False)
    assert run("training.current") == (
        "fail", "1 staff account(s) without training in the last year")


def test_an_overdue_vendor_review_fails(store_dir):  # noqa: F811
    assert Vendor.objects.filter(active=True).exists()  # seeded with the store
    assert run("vendors.reviews")[0] == "pass"
    Vendor.objects.filter(pk=Vendor.objects.filter(active=True).first().pk).update(
        next_review_on=timezone.now().date() - dt.timedelta(days=1))
    assert run("vendors.reviews") == ("fail", "1 vendor review(s) overdue")


def test_a_broken_environment_fails_the_inventory_check(monkeypatch):
    assert run("patch.sbom")[0] == "pass"
    real = md.requires  # strongroom's metadata now names a distribution not installed
    monkeypatch.setattr(md, "requires", lambda name: [*real(name), "vanished-dist>=1"])
    status, detail = run("patch.sbom")
    assert status == "fail" and "vanished-dist is required by strongroom" in detail


def test_a_remote_database_without_tls_fails_and_with_verify_full_passes(monkeypatch):
    """The connection settings as a remote PostgreSQL would have them (only read by the
    check: no connection is opened with them)."""
    db = settings.DATABASES["default"]
    monkeypatch.setitem(db, "ENGINE", "django.db.backends.postgresql")
    monkeypatch.setitem(db, "HOST", "db.internal.example")
    monkeypatch.setitem(db, "OPTIONS", {})
    status, detail = run("config.database_tls")
    assert status == "fail" and "without sslmode=require" in detail
    monkeypatch.setitem(db, "OPTIONS", {"sslmode": "verify-full"})
    assert run("config.database_tls") == (
        "pass", "PostgreSQL at db.internal.example with sslmode=verify-full")


def test_a_personal_field_stored_in_plaintext_fails_the_schema_check(monkeypatch):
    """A model declares a plaintext column as personal data (a developer's slip)."""
    from strongroom.protection.accounts.models import User

    monkeypatch.setattr(User, "personal_fields", (*User.personal_fields, "is_active"),
                        raising=False)
    status, detail = run("encryption.schema")
    assert status == "fail"
    assert "accounts.User.is_active is declared personal data but stored in plaintext" in detail


def test_a_field_named_like_card_data_fails(monkeypatch):
    """A model with a ``card_number`` column (what SAQ A forbids storing)."""
    from types import SimpleNamespace

    from strongroom.protection.posture.internal.checks import data

    real = data.apps.get_models
    leaky = SimpleNamespace(_meta=SimpleNamespace(
        label="shop.SavedCard", concrete_fields=[SimpleNamespace(name="card_number")]))
    monkeypatch.setattr(data.apps, "get_models", lambda *a, **k: [*real(*a, **k), leaky])
    status, detail = run("payments.no_card_data")
    assert status == "fail" and "shop.SavedCard.card_number" in detail


def test_a_payment_page_script_changed_since_its_inventory_fails(monkeypatch):
    """The checkout script's bytes no longer match the hash it was inventoried with (what
    a skimmer injected into the file would look like)."""
    from strongroom.protection.posture.internal.checks import data

    [(path, script)] = list(data.SCRIPT_INVENTORY.items())
    monkeypatch.setitem(data.SCRIPT_INVENTORY, path,
                        dataclasses.replace(script, sha384="A" * 64))
    status, detail = run("payments.scripts")
    assert status == "fail" and f"changed since inventoried: {path}" in detail
