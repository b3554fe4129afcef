"""The secret key rotated routinely (the old key kept as a fallback for some days: nobody
signed out, emailed links keep working) and after a leak (no fallback: both refused);
the fallbacks file's checks; every process picking up a rotation by itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from strongroom import config
from strongroom.config import secretwatch
from strongroom.config.secretkey import Fallback, fallbacks_file_text
from strongroom.protection.access.roles import Role
from strongroom.protection.accounts.passwordchange import password_reset_user
from strongroom.protection.audit.events import ActorType, AuditEvent
from strongroom.protection.incidents import rekey, services
from strongroom.protection.incidents.errors import IncidentError
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.factories import user_make
from strongroom.testing.staff import HttpsClient, console_client, mfa_stamp, staff_make

pytestmark = pytest.mark.django_db
OTHER = "another-earlier-key-" + "y" * 50


@pytest.fixture
def incident():
    return services.incident_open(title="t", kind="data_breach", severity="high",
                                  by=staff_make(Role.OWNER))


@pytest.fixture
def key_files(settings):
    """The secret key read from the data directory's file; no fallbacks file yet."""
    settings.SECRET_KEY = django_settings.SECRET_KEY  # both restored after the test
    settings.SECRET_KEY_FALLBACKS = []
    data = Path(django_settings.STRONGROOM_DATA_DIR)
    path, fallbacks = data / "secret_key", data / "secret_key_fallbacks"
    assert not path.exists() and not fallbacks.exists()
    path.write_text(django_settings.SECRET_KEY)
    path.chmod(0o600)
    yield path, fallbacks
    path.unlink()
    fallbacks.unlink(missing_ok=True)
    secretwatch.secret_keys_watch_reset()


def _signed_things(user):
    """What a customer holds that the secret key signed: a reset link, a signed value."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return uid, default_token_generator.make_token(user), signing.dumps({"n": 1}, salt="t")


def _contain(client, incident, action, **data):
    return client.post(reverse("console:incident_contain", args=[incident.pk, action]), data)


def test_routine_rotation_keeps_sessions_and_links_until_the_fallback_is_dropped(
        incident, key_files, django_capture_on_commit_callbacks):
    key_file, fallbacks_file = key_files
    old_key = django_settings.SECRET_KEY
    customer = user_make()
    shopper, idle = HttpsClient(), HttpsClient()
    shopper.force_login(customer)
    idle.force_login(user_make())
    assert shopper.get("/account/").status_code == 200
    uid, token, value = _signed_things(customer)
    owner = console_client(staff_make(Role.OWNER))
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = _contain(owner, incident, "roll-secret-key", days="14")
    assert response.status_code == 302
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_SECRET_KEY_ROLLED]
    assert "kept as a fallback until" in audit_entries_since(mark)[0].reason
    assert incident.entries.filter(text__contains="nobody is signed out").exists()
    new_key = key_file.read_text()
    assert new_key != old_key and django_settings.SECRET_KEY == new_key
    assert django_settings.SECRET_KEY_FALLBACKS == [old_key]
    assert fallbacks_file.stat().st_mode & 0o777 == 0o600
    assert old_key in fallbacks_file.read_text() and new_key not in fallbacks_file.read_text()
    # Nobody is signed out and what the old key signed still holds; new values use the new.
    # A session used meanwhile moves to the new key (Django re-signs it).
    assert shopper.get("/account/").status_code == 200
    assert owner.get(reverse("console:dashboard")).status_code == 200
    assert password_reset_user(uidb64=uid, token=token) == customer
    assert signing.loads(value, salt="t") == {"n": 1}
    fresh = signing.dumps({"n": 2}, salt="t")
    with pytest.raises(signing.BadSignature):
        signing.loads(fresh, salt="t", key=old_key, fallback_keys=[])
    page = owner.get(reverse("console:incident_detail", args=[incident.pk]))
    assert b"Earlier keys still accepted" in page.content and old_key.encode() not in page.content
    # The owner drops the fallback: the old key's session and links are refused.
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        assert _contain(owner, incident, "drop-secret-key-fallbacks").status_code == 302
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_SECRET_KEY_FALLBACKS_DROPPED]
    assert django_settings.SECRET_KEY_FALLBACKS == []
    assert not fallbacks_file.exists()
    assert idle.get("/account/").status_code == 302  # not used while the old key was kept
    assert shopper.get("/account/").status_code == 200  # moved to the new key meanwhile
    assert password_reset_user(uidb64=uid, token=token) is None
    with pytest.raises(signing.BadSignature):
        signing.loads(value, salt="t")
    assert signing.loads(fresh, salt="t") == {"n": 2}
    # Nothing left to drop: a clear 400, nothing audited.
    other_owner = console_client(staff_make(Role.OWNER))
    mark = audit_mark()
    again = _contain(other_owner, incident, "drop-secret-key-fallbacks")
    assert again.status_code == 400 and b"No earlier secret key" in again.content
    assert audit_entries_since(mark) == []


def test_a_leaked_rotation_after_a_routine_one_refuses_every_earlier_key(
        incident, key_files, django_capture_on_commit_callbacks):
    key_file, fallbacks_file = key_files
    customer = user_make()
    shopper = HttpsClient()
    shopper.force_login(customer)
    uid, token, value = _signed_things(customer)
    owner = staff_make(Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        rekey.contain_secret_key_roll(incident=incident, by=owner, days=7)
    middle = signing.dumps({"n": 3}, salt="t")  # signed with the routine rotation's key
    assert signing.loads(value, salt="t") == {"n": 1}
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        ended = rekey.contain_secret_key_rotate(incident=incident, by=owner)
    assert ended >= 1
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_SECRET_KEY_ROTATED]
    assert django_settings.SECRET_KEY_FALLBACKS == []
    assert not fallbacks_file.exists()
    assert config.load(_env(), dotenv_path=Path("/nonexistent")).secret_key_fallbacks == []
    assert shopper.get("/account/").status_code == 302
    assert password_reset_user(uidb64=uid, token=token) is None
    for signed in (value, middle):
        with pytest.raises(signing.BadSignature):
            signing.loads(signed, salt="t")


@pytest.mark.parametrize("days", ["0", "91", "abc", "", "-3"])
def test_bad_days_are_a_clear_400_and_change_nothing(incident, key_files, days):
    key_file, fallbacks_file = key_files
    before = key_file.read_text()
    owner = console_client(staff_make(Role.OWNER))
    mark = audit_mark()
    response = _contain(owner, incident, "roll-secret-key", days=days)
    assert response.status_code == 400 and b"between 1 and 90 days" in response.content
    assert audit_entries_since(mark) == [] and key_file.read_text() == before
    assert not fallbacks_file.exists()


def test_only_the_owner_or_officer_with_a_fresh_second_factor(incident, key_files):
    key_file, _ = key_files
    before = key_file.read_text()
    clients = [console_client(staff_make(role)) for role in (Role.ADMIN, Role.SUPPORT)]
    stale = console_client(staff_make(Role.SECURITY_OFFICER))
    mfa_stamp(stale, at=0)
    mark = audit_mark()
    for client in clients:
        for action in ("roll-secret-key", "drop-secret-key-fallbacks"):
            assert _contain(client, incident, action, days="7").status_code == 403
    assert _contain(stale, incident, "roll-secret-key", days="7").status_code in (302, 403)
    assert audit_entries_since(mark) == [] and key_file.read_text() == before


def test_a_key_from_the_environment_is_refused_with_what_to_do(incident):
    with pytest.raises(IncidentError, match="STRONGROOM_SECRET_KEY_FALLBACKS"):
        rekey.contain_secret_key_roll(incident=incident, by=staff_make(Role.OWNER), days=7)


def test_in_an_exercise_the_routine_rotation_is_rehearsed(key_files):
    key_file, fallbacks_file = key_files
    owner = staff_make(Role.OWNER)
    drill = services.incident_open(title="drill", kind="data_breach", severity="high",
                                   by=owner, exercise=True)
    mark = audit_mark()
    assert rekey.contain_secret_key_roll(incident=drill, by=owner, days=7) is None
    assert audit_events_since(mark) == [AuditEvent.EXERCISE_ACTION_REHEARSED]
    assert key_file.read_text() == django_settings.SECRET_KEY and not fallbacks_file.exists()


def test_the_daily_job_deletes_expired_fallbacks_from_the_disk(key_files):
    from strongroom.jobs.registry import jobs_all

    _, fallbacks_file = key_files
    now = dt.datetime.now(dt.UTC)
    day = dt.timedelta(days=1)
    _write(fallbacks_file, [Fallback(now, now + day, OTHER),
                            Fallback(now - 9 * day, now - day, "expired-" + "z" * 60)])
    assert jobs_all()["secret-key-fallbacks-prune"].func() == {"deleted": 1}
    text = fallbacks_file.read_text()
    assert OTHER in text and "expired-" not in text
    assert fallbacks_file.stat().st_mode & 0o777 == 0o600
    assert rekey.secret_key_fallbacks_prune() == 0


def test_default_days_cover_the_longest_session(settings):
    settings.SESSION_COOKIE_AGE = 20 * 86400 + 1
    assert rekey.fallback_days_default() == 21


# --- the fallbacks file as configuration --------------------------------------------------
def _env(**extra: str) -> dict[str, str]:
    return {"STRONGROOM_DATA_DIR": str(django_settings.STRONGROOM_DATA_DIR),
            "STRONGROOM_ALLOWED_HOSTS": "shop.example", "STRONGROOM_PAYMENT_GATEWAY": "none",
            **extra}


def _write(path: Path, entries: list[Fallback], mode: int = 0o600) -> None:
    path.write_text(fallbacks_file_text(entries))
    path.chmod(mode)


def test_config_reads_unexpired_fallbacks_and_refuses_a_readable_file(key_files):
    _, fallbacks_file = key_files
    now = dt.datetime.now(dt.UTC)
    day = dt.timedelta(days=1)
    _write(fallbacks_file, [Fallback(now - day, now + day, OTHER),
                            Fallback(now - 9 * day, now - day, "expired-" + "z" * 60),
                            Fallback(now, now + day, django_settings.SECRET_KEY)])
    loaded = config.load(_env(), dotenv_path=Path("/nonexistent"))
    assert loaded.secret_key_from_file and loaded.secret_key_fallbacks == [OTHER]
    fallbacks_file.chmod(0o644)
    with pytest.raises(config.ConfigError, match="readable by other users.*chmod 600"):
        config.load(_env(), dotenv_path=Path("/nonexistent"))
    fallbacks_file.chmod(0o600)
    fallbacks_file.write_text("2026-01-01T00:00:00 tomorrow " + "k" * 60 + "\n")
    with pytest.raises(config.ConfigError, match="line 1 is not 'RETIRED UNTIL KEY'"):
        config.load(_env(), dotenv_path=Path("/nonexistent"))


def test_the_page_and_the_system_check_say_when_the_fallbacks_file_is_unusable(
        incident, key_files):
    _, fallbacks_file = key_files
    assert [m.id for m in run_checks() if m.id == "incidents.E001"] == []
    _write(fallbacks_file, [], mode=0o644)
    page = console_client(staff_make(Role.OWNER)).get(
        reverse("console:incident_detail", args=[incident.pk]))
    assert page.status_code == 200 and b"readable by other users" in page.content
    assert [m.id for m in run_checks() if m.id == "incidents.E001"] == ["incidents.E001"]


def test_the_self_audit_and_deploy_checks_hold_after_a_routine_rotation(
        incident, key_files, django_capture_on_commit_callbacks):
    from strongroom.protection.posture.internal.checks.registry import (
        CHECKS,
        Context,
        check_run,
        checks_load,
    )

    with django_capture_on_commit_callbacks(execute=True):
        rekey.contain_secret_key_roll(incident=incident, by=staff_make(Role.OWNER), days=3)
    checks_load()
    result = check_run(CHECKS["config.secret_key"], Context(now=timezone.now()))
    assert result.status == "pass", result.detail
    problems = [m for m in run_checks(include_deployment_checks=True)
                if m.id.startswith(("incidents.", "security.W009"))]
    assert problems == []


# --- other processes ------------------------------------------------------------------------
def test_another_process_picks_up_a_rotation_by_itself(key_files, settings):
    """What a second app process (or the worker) does before its next request or job: the
    files changed under it, so it loads the new key and the kept fallback."""
    key_file, fallbacks_file = key_files
    settings.STRONGROOM_SECRET_KEY_FROM_FILE = True
    secretwatch.secret_keys_watch_reset()
    old = django_settings.SECRET_KEY
    assert secretwatch.secret_keys_refresh() is False  # nothing changed yet
    new = "rotated-elsewhere-" + "n" * 60
    now = dt.datetime.now(dt.UTC)
    _write(fallbacks_file, [Fallback(now, now + dt.timedelta(hours=1), old)])
    key_file.write_text(new)
    assert secretwatch.secret_keys_refresh() is True
    assert django_settings.SECRET_KEY == new and django_settings.SECRET_KEY_FALLBACKS == [old]
    assert secretwatch.secret_keys_refresh() is False  # seen: two stat calls only
    # The fallback's time runs out: dropped without any file changing.
    later = now + dt.timedelta(hours=2)
    assert secretwatch.secret_keys_refresh(now=later) is True
    assert django_settings.SECRET_KEY_FALLBACKS == []
    # A file made readable by others is refused; the keys in use are kept.
    _write(fallbacks_file, [Fallback(now, later + dt.timedelta(days=1), old)], mode=0o644)
    assert secretwatch.secret_keys_refresh(now=later) is False
    assert django_settings.SECRET_KEY == new and django_settings.SECRET_KEY_FALLBACKS == []


def test_every_request_looks_for_a_rotation(key_files, settings):
    key_file, _ = key_files
    settings.STRONGROOM_SECRET_KEY_FROM_FILE = True
    secretwatch.secret_keys_watch_reset()
    new = "rotated-by-another-process-" + "r" * 60
    key_file.write_text(new)
    HttpsClient().get("/")
    assert django_settings.SECRET_KEY == new


def test_the_command_line_rotates_for_an_incident_and_shows_no_key(
        incident, key_files, capsys, django_capture_on_commit_callbacks):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    key_file, _ = key_files
    old = key_file.read_text()
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("incidents", "secret-key", f"INC-{incident.number}", "--keep-days", "5")
    assert "the old one accepted until" in capsys.readouterr().out
    entry, = audit_entries_since(mark)
    assert entry.event == AuditEvent.CONTAINMENT_SECRET_KEY_ROLLED
    assert entry.actor_type == ActorType.SYSTEM
    assert key_file.read_text() != old
    call_command("incidents", "secret-key")
    out = capsys.readouterr().out
    assert out.startswith("retired ") and old not in out
    for bad in (["INC-999", "--leaked"], ["nonsense", "--keep-days", "3"],
                [f"INC-{incident.number}", "--keep-days", "0"]):
        with pytest.raises(CommandError) as exc:
            call_command("incidents", "secret-key", *bad)
        assert exc.value.returncode == 2
