"""Passwords, second factors, sessions and staff access."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from strongroom.protection.access.roles import Role
from strongroom.protection.access.selectors import role_of
from strongroom.protection.accounts.passwords import STAFF_MIN_LENGTH
from strongroom.protection.accounts.throttling import throttle
from strongroom.protection.alerts.selectors import alerts_open

from .capabilities import capability_model
from .registry import Context, Outcome, bad, check, na, ok, warn


def _staff(ctx: Context) -> list:
    """The active staff accounts, read once per audit (four checks look at them; each
    query is a scan of the whole accounts table, customers included)."""
    return ctx.once("staff", lambda: list(
        get_user_model().objects.filter(is_staff=True, is_active=True)))


@check("mfa.staff", title="Every staff account has a second factor",
       practice="passwords_mfa", pci="8.4.2", asvs="6.3.3", weight=3, critical=True)
def mfa_staff(ctx: Context) -> Outcome:
    staff = _staff(ctx)
    total = len(staff)
    if total == 0:
        return na("no active staff account")
    without = (get_user_model().objects.filter(pk__in=[u.pk for u in staff])
               .exclude(Q(totp_devices__confirmed_at__isnull=False)
                        | Q(webauthn_credentials__isnull=False)).distinct().count())
    if without:
        return bad(f"{without} of {total} active staff accounts have no second factor")
    return ok(f"all {total} active staff accounts have TOTP or a passkey")


@check("mfa.enforced", title="The console refuses staff without MFA", practice="passwords_mfa",
       pci="8.4.1", asvs="6.3.3", weight=2, critical=True)
def mfa_enforced(ctx: Context) -> Outcome:
    name = "strongroom.protection.accounts.middleware.StaffMfaMiddleware"
    if name in settings.MIDDLEWARE:
        return ok("StaffMfaMiddleware installed")
    return bad("StaffMfaMiddleware is not in MIDDLEWARE: staff reach the console on a "
               "password alone")


@check("passwords.hashing", title="Passwords hashed with argon2id", practice="passwords_mfa",
       pci="8.3.2", asvs="11.4.2", weight=3, critical=True)
def passwords_hashing(ctx: Context) -> Outcome:
    first = settings.PASSWORD_HASHERS[0]
    if "argon2" in first.lower():
        return ok(first.rsplit(".", 1)[-1])
    return bad(f"new passwords hashed with {first.rsplit('.', 1)[-1]}, not argon2id")


def _validators() -> list[str]:
    return [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]


@check("passwords.staff_length", title="Staff passwords of 12+ characters",
       practice="passwords_mfa", pci="8.3.6", asvs="6.2.1", weight=2)
def passwords_staff_length(ctx: Context) -> Outcome:
    if "RoleMinimumLengthValidator" not in _validators():
        return bad("RoleMinimumLengthValidator is not configured")
    if STAFF_MIN_LENGTH < 12:
        return bad(f"staff minimum is {STAFF_MIN_LENGTH}")
    return ok(f"staff minimum {STAFF_MIN_LENGTH}")


@check("passwords.customer_length", title="Customer passwords of 10+ characters",
       practice="passwords_mfa", pci="8.3.6", asvs="6.2.1", weight=1)
def passwords_customer_length(ctx: Context) -> Outcome:
    minimum = settings.STRONGROOM_ACCOUNTS.customer_password_min
    if minimum >= 10:
        return ok(f"customer minimum {minimum}")
    return warn(f"customer minimum {minimum} (STRONGROOM_CUSTOMER_PASSWORD_MIN): 10 or more "
                "resists guessing much better")


@check("passwords.common", title="Common and weak passwords refused",
       practice="passwords_mfa", pci="8.3.5", asvs="6.2.4", weight=2)
def passwords_common(ctx: Context) -> Outcome:
    missing = {"CommonPasswordValidator", "StrengthValidator"} - set(_validators())
    if missing:
        return bad(f"not configured: {', '.join(sorted(missing))}")
    return ok("common-password list and zxcvbn strength floor")


@check("passwords.breached", title="Breached passwords refused", practice="passwords_mfa",
       pci="8.3.5", asvs="6.2.12", weight=1)
def passwords_breached(ctx: Context) -> Outcome:
    if settings.STRONGROOM_ACCOUNTS.breached_password_check:
        return ok("checked against the breach corpus by k-anonymity")
    return warn("off: set STRONGROOM_BREACHED_PASSWORD_CHECK=1 (only 5 hex digits of a "
                "SHA-1 leave the store)")


@check("sessions.staff_idle", title="Staff signed out after 15 idle minutes",
       practice="passwords_mfa", pci="8.2.8", asvs="7.3.1", weight=2)
def sessions_staff_idle(ctx: Context) -> Outcome:
    minutes = settings.STRONGROOM_ACCOUNTS.staff_idle_minutes
    return ok(f"{minutes} minutes") if minutes <= 15 else bad(f"{minutes} minutes")


@check("sessions.absolute", title="Sign-ins end after a fixed time", practice="passwords_mfa",
       pci="8.2.8", asvs="7.3.2", weight=1)
def sessions_absolute(ctx: Context) -> Outcome:
    policy = settings.STRONGROOM_ACCOUNTS
    if policy.staff_session_hours > 24 or policy.customer_session_days > 30:
        return warn(f"staff {policy.staff_session_hours} h, customers "
                    f"{policy.customer_session_days} days: long-lived sign-ins")
    return ok(f"staff {policy.staff_session_hours} h, customers "
              f"{policy.customer_session_days} days")


@check("signin.lockout", title="Staff locked after 10 failed sign-ins",
       practice="passwords_mfa", pci="8.3.4", asvs="6.3.1", weight=2)
def signin_lockout(ctx: Context) -> Outcome:
    if throttle.STAFF_LOCK_AFTER > 10 or throttle.STAFF_LOCK_SECONDS < 30 * 60:
        return bad(f"locked after {throttle.STAFF_LOCK_AFTER} for "
                   f"{throttle.STAFF_LOCK_SECONDS // 60} min")
    return ok(f"after {throttle.STAFF_LOCK_AFTER} failures, for "
              f"{throttle.STAFF_LOCK_SECONDS // 60} minutes; customers slowed down")


@check("signin.alerts", title="Sign-in alerts looked at within a week",
       practice="passwords_mfa", pci="10.4.1", asvs="16.3.1", weight=1)
def signin_alerts(ctx: Context) -> Outcome:
    old = [a for a in alerts_open(kind_prefix="signin.")
           if a.first_seen < ctx.now - dt.timedelta(days=7)]
    if old:
        return bad(f"{len(old)} sign-in alert(s) open for more than 7 days")
    return ok("none open for more than 7 days")


@check("access.idle_staff", title="No staff account unused for 90 days", practice="access",
       pci="8.2.6", asvs="8.2.1", weight=2)
def access_idle_staff(ctx: Context) -> Outcome:
    cutoff = ctx.now - dt.timedelta(days=90)
    idle = sum(1 for u in _staff(ctx)
               if (u.last_login or u.date_joined) < cutoff)
    if idle:
        return bad(f"{idle} active staff account(s) unused for 90 days: run "
                   "`strongroom staff disable-idle`")
    return ok("every active staff account used in the last 90 days")


@check("access.roles", title="Every staff account has a role", practice="access", pci="7.2.2",
       asvs="8.2.1", weight=2)
def access_roles(ctx: Context) -> Outcome:
    staff = _staff(ctx)
    without = [u for u in staff if role_of(u) is None]
    if not staff:
        return na("no active staff account")
    if without:
        return warn(f"{len(without)} staff account(s) without a role (they see nothing): "
                    "give them one or disable them")
    return ok(f"{len(staff)} staff accounts, each with a role")


@check("access.owners", title="Few owner accounts", practice="access", pci="7.2.1",
       asvs="8.2.2", weight=1)
def access_owners(ctx: Context) -> Outcome:
    # role_of is cached on each account (access.roles asked already): no query here.
    owners = sum(1 for u in _staff(ctx) if role_of(u) == Role.OWNER)
    if owners == 0:
        return bad("no active owner: nobody can manage staff")
    if owners > 3:
        return warn(f"{owners} owners: each holds every permission")
    return ok(f"{owners} owner(s)")


@check("access.review", title="Staff access reviewed in the last 6 months", practice="access",
       pci="7.2.4", asvs="8.1.1", weight=2)
def access_review(ctx: Context) -> Outcome:
    model, reason = capability_model("people", "AccessReview")
    if model is None:
        return na(reason)
    last = model.objects.filter(completed_at__isnull=False).order_by("-completed_at").first()
    if last is None:
        return bad("no access review completed: run `strongroom access review start`")
    if last.completed_at < ctx.now - dt.timedelta(days=183):
        return bad(f"last access review completed {last.completed_at:%Y-%m-%d}")
    return ok(f"last completed {last.completed_at:%Y-%m-%d}")


@check("training.current", title="Staff with customer data trained this year",
       practice="training", pci="12.6.3", asvs="15.1.1", weight=2)
def training_current(ctx: Context) -> Outcome:
    model, reason = capability_model("people", "TrainingCompletion")
    if model is None:
        return na(reason)
    since = ctx.now - dt.timedelta(days=365)
    trained = set(model.objects.filter(completed_at__gte=since)
                  .values_list("user_id", flat=True))
    untrained = [u for u in _staff(ctx) if u.pk not in trained]
    if untrained:
        return bad(f"{len(untrained)} staff account(s) without training in the last year")
    return ok("every active staff member trained in the last year")
