"""Staff management services: invite, accept, role change, disable, idle accounts, and
the guards that keep the store from locking itself out."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from strongroom.protection.access.errors import InviteInvalid, StaffChangeRefused
from strongroom.protection.access.roles import Role
from strongroom.protection.access.selectors import role_of
from strongroom.protection.access.staff import (
    invite_get,
    staff_disable,
    staff_disable_idle,
    staff_enable,
    staff_invite,
    staff_invite_accept,
    staff_invite_resend,
    staff_role_set,
)
from strongroom.testing.factories import user_make
from strongroom.testing.staff import staff_make

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "a long and unusual passphrase 7391"


def _invite(owner, email="new@staff.example.test", role=Role.SUPPORT):
    return staff_invite(email=email, full_name="New Person", role=role, by=owner,
                        link=lambda raw: f"https://shop.example/console/invite/{raw}/")


def test_invite_creates_an_inactive_staff_account_and_mails_the_link(
        mailoutbox, django_capture_on_commit_callbacks):
    owner = staff_make(Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        user, raw = _invite(owner)
    assert user.is_staff and not user.is_active and not user.has_usable_password()
    assert [m.to for m in mailoutbox] == [["new@staff.example.test"]]
    assert f"/console/invite/{raw}/" in mailoutbox[0].body
    assert "Support" in mailoutbox[0].body


def test_invite_refuses_an_email_that_already_has_an_account():
    owner = staff_make(Role.OWNER)
    user_make(email="taken@example.test")
    with pytest.raises(StaffChangeRefused):
        _invite(owner, email="TAKEN@example.test")


def test_accept_sets_the_password_once():
    owner = staff_make(Role.OWNER)
    user, raw = _invite(owner)
    accepted = staff_invite_accept(raw=raw, password=GOOD_PASSWORD)
    assert accepted.pk == user.pk and accepted.is_active
    assert accepted.check_password(GOOD_PASSWORD)
    assert role_of(get_user_model().objects.get(pk=user.pk)) == Role.SUPPORT
    with pytest.raises(InviteInvalid):
        staff_invite_accept(raw=raw, password=GOOD_PASSWORD)


@pytest.mark.parametrize("raw", ["", "x" * 500, "unknown-token", None, "a\x00b"])
def test_bad_tokens_are_one_error(raw):
    with pytest.raises(InviteInvalid):
        staff_invite_accept(raw=raw, password=GOOD_PASSWORD)


def test_expired_invite_and_weak_password_are_refused():
    owner = staff_make(Role.OWNER)
    _, raw = _invite(owner)
    with pytest.raises(ValidationError):
        staff_invite_accept(raw=raw, password="short")
    with pytest.raises(InviteInvalid):
        staff_invite_accept(raw=raw, password=GOOD_PASSWORD,
                            now=timezone.now() + timedelta(hours=73))


def test_disabled_invitee_cannot_accept():
    owner = staff_make(Role.OWNER)
    user, raw = _invite(owner)
    assert staff_disable(user=user, by=owner)
    with pytest.raises(InviteInvalid):
        staff_invite_accept(raw=raw, password=GOOD_PASSWORD)


def test_role_change_and_guards():
    owner = staff_make(Role.OWNER)
    agent = staff_make(Role.SUPPORT)
    assert staff_role_set(user=agent, role=Role.ADMIN, by=owner)
    assert not staff_role_set(user=agent, role=Role.ADMIN, by=owner)  # no change
    assert role_of(get_user_model().objects.get(pk=agent.pk)) == Role.ADMIN
    with pytest.raises(StaffChangeRefused):
        staff_role_set(user=owner, role=Role.SUPPORT, by=owner)  # not yourself
    other_owner = staff_make(Role.OWNER)
    with pytest.raises(StaffChangeRefused):  # not yourself either
        staff_disable(user=other_owner, by=other_owner)
    assert staff_role_set(user=other_owner, role=Role.AUDITOR, by=owner)  # one owner left


def test_the_last_owner_cannot_be_demoted_or_disabled():
    owner = staff_make(Role.OWNER)
    superuser = staff_make(None, superuser=True)  # an owner by being the superuser
    assert role_of(superuser) == Role.OWNER
    assert staff_disable(user=superuser, by=owner)
    lone = get_user_model().objects.get(pk=owner.pk)
    admin = staff_make(Role.ADMIN)
    with pytest.raises(StaffChangeRefused, match="last active owner"):
        staff_role_set(user=lone, role=Role.SUPPORT, by=admin)
    with pytest.raises(StaffChangeRefused, match="last active owner"):
        staff_disable(user=lone, by=admin)


def test_disable_idle_disables_staff_idle_for_90_days_and_keeps_the_last_owner():
    now = timezone.now()
    owner = staff_make(Role.OWNER)
    fresh = staff_make(Role.SUPPORT)
    idle = staff_make(Role.SUPPORT)
    never = staff_make(Role.MARKETING)
    customer = user_make()
    User = get_user_model()
    User.objects.filter(pk__in=[owner.pk, idle.pk, customer.pk]).update(
        last_login=now - timedelta(days=91))
    User.objects.filter(pk=fresh.pk).update(last_login=now - timedelta(days=89))
    User.objects.filter(pk=never.pk).update(date_joined=now - timedelta(days=120))
    result = staff_disable_idle(now=now)
    assert {u.pk for u in result.disabled} == {idle.pk, never.pk}
    assert [u.pk for u in result.kept] == [owner.pk]
    active = dict(User.objects.values_list("pk", "is_active"))
    assert active[idle.pk] is False and active[never.pk] is False
    assert active[owner.pk] and active[fresh.pk] and active[customer.pk]


def test_disable_idle_command(capsys):
    idle = staff_make(Role.SUPPORT)
    staff_make(Role.OWNER)
    get_user_model().objects.filter(pk=idle.pk).update(
        last_login=timezone.now() - timedelta(days=100))
    call_command("staff", "disable-idle")
    out = capsys.readouterr().out
    assert f"disabled idle staff account {idle.pk}" in out
    assert "1 idle staff account(s) disabled" in out


def test_re_enable_needs_a_new_password_and_survives_the_next_idle_sweep():
    owner = staff_make(Role.OWNER)
    agent = staff_make(Role.SUPPORT)
    User = get_user_model()
    long_ago = timezone.now() - timedelta(days=200)
    User.objects.filter(pk=agent.pk).update(last_login=long_ago, date_joined=long_ago)
    assert [u.pk for u in staff_disable_idle().disabled] == [agent.pk]
    agent.refresh_from_db()
    assert staff_enable(user=agent, by=owner) is True
    agent.refresh_from_db()
    assert agent.is_active and agent.password_reset_required and agent.has_usable_password()
    assert staff_disable_idle().disabled == []  # re-enabling counts as activity
    assert staff_enable(user=agent, by=owner) is False  # already active


def test_an_account_that_never_set_a_password_is_invited_again_not_enabled(
        mailoutbox, django_capture_on_commit_callbacks):
    owner = staff_make(Role.OWNER)
    user, first = _invite(owner, role=Role.FULFILMENT)
    with pytest.raises(StaffChangeRefused, match="new invitation"):
        staff_enable(user=user, by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        second = staff_invite_resend(user=user, by=owner,
                                     link=lambda raw: f"https://shop.example/i/{raw}/")
    with pytest.raises(InviteInvalid):
        invite_get(raw=first)  # the earlier link died
    assert invite_get(raw=second).user == user
    assert mailoutbox[-1].to == ["new@staff.example.test"] and second in mailoutbox[-1].body
    assert "fulfilment" in mailoutbox[-1].body.lower()
    staff_invite_accept(raw=second, password=GOOD_PASSWORD)
    user.refresh_from_db()
    with pytest.raises(StaffChangeRefused, match="re-enable"):
        staff_invite_resend(user=user, by=owner, link=lambda raw: raw)
