import time

import pytest

from strongroom.protection.access.ratelimit import reveal_reset, reveal_take


def test_limit_then_refusal_alerts_once_per_window(settings):
    settings.STRONGROOM_REVEAL_COUNTER = "cache"  # as with Redis configured
    settings.STRONGROOM_REVEAL_LIMIT = 3
    settings.STRONGROOM_REVEAL_WINDOW = 60
    now = 1_000_020.0
    verdicts = [reveal_take(staff_id="s1", now=now) for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.first_refusal for v in verdicts] == [False, False, False, True, False]
    # another staff member has a budget of their own; a window later the reveals are gone
    assert reveal_take(staff_id="s2", now=now).allowed
    assert not reveal_take(staff_id="s1", now=now + 59).allowed
    assert reveal_take(staff_id="s1", now=now + 61).allowed
    reveal_reset(staff_id="s1", now=now + 61)
    assert reveal_take(staff_id="s1", now=now + 61).allowed


@pytest.mark.parametrize("counter", ["cache", "redis", "audit log"])
def test_the_window_slides_across_the_hour(settings, counter, request):
    """A fixed hourly window would allow the limit at 10:59 and again at 11:00: twice the
    limit in two minutes, unrefused. The window slides, with either counter."""
    settings.STRONGROOM_REVEAL_LIMIT = 3
    settings.STRONGROOM_REVEAL_WINDOW = 3600
    end_of_hour = 3600 * 500_000 - 30.0  # 30 s before a full hour
    if counter == "redis":  # the counter every app process shares in production
        url = request.getfixturevalue("redis_server") + "/5"
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": url}}
        from django.core.cache import caches

        caches["default"].clear()
        assert type(caches["default"]).__name__ == "RedisCache"
    if counter != "audit log":
        settings.STRONGROOM_REVEAL_COUNTER = "cache"
        assert all(reveal_take(staff_id="edge", now=end_of_hour).allowed for _ in range(3))
        after = [reveal_take(staff_id="edge", now=end_of_hour + 60 + i) for i in range(3)]
        assert [v.allowed for v in after] == [False, False, False]
        assert [v.first_refusal for v in after] == [True, False, False]
        # refused attempts are not counted: an hour after the three reveals, room again
        assert reveal_take(staff_id="edge", now=end_of_hour + 3600 + 61).allowed
        return
    request.getfixturevalue("db")
    if time.time() % 3600 < 2:
        time.sleep(2)
    now = time.time()
    _revealed("edge-audit", 3)  # now, whatever the clock's hour
    next_hour = (now // 3600 + 1) * 3600 + 1  # a fixed window would start afresh here
    assert not reveal_take(staff_id="edge-audit", now=next_hour).allowed
    assert reveal_take(staff_id="edge-audit", now=now + 3601).allowed


def _revealed(staff_id: str, times: int, event: str = "FIELD_REVEALED") -> None:
    """``times`` audit events by ``staff_id``, as the reveal service records them."""
    from django.db import transaction

    from strongroom.protection.audit.events import Actor, ActorType, AuditEvent
    from strongroom.protection.audit.services import audit_record

    for _ in range(times):
        with transaction.atomic():
            audit_record(event=AuditEvent[event], actor=Actor(ActorType.STAFF, staff_id),
                         fields=["email"], reason="customer_request")


@pytest.mark.django_db
def test_without_a_shared_cache_the_audit_log_is_the_counter(settings):
    settings.STRONGROOM_REVEAL_LIMIT = 2
    assert reveal_take(staff_id="s-audit").allowed
    _revealed("s-audit", 2)
    refused = reveal_take(staff_id="s-audit")
    assert not refused.allowed and refused.first_refusal
    _revealed("s-audit", 1, "REVEAL_RATE_LIMITED")
    assert not reveal_take(staff_id="s-audit").first_refusal  # alerted already


@pytest.mark.django_db
def test_with_redis_down_the_limit_is_counted_in_the_audit_log(redis_down, settings):
    """The limit fails closed: a down cache does not stop it counting."""
    settings.STRONGROOM_REVEAL_LIMIT = 2
    assert reveal_take(staff_id="s-outage").allowed  # the cache failed: counted in the log
    _revealed("s-outage", 2)
    refused = reveal_take(staff_id="s-outage")
    assert not refused.allowed and refused.first_refusal
    reveal_reset(staff_id="s-outage")  # best effort: no error either


def test_the_reveal_that_reaches_the_threshold_is_the_mass_access_one(settings):
    """Using a window's whole allowance and stopping there must not stay silent."""
    settings.STRONGROOM_REVEAL_COUNTER = "cache"
    settings.STRONGROOM_REVEAL_LIMIT = 3
    settings.STRONGROOM_REVEAL_WINDOW = 60
    now = 2_000_040.0
    verdicts = [reveal_take(staff_id="m1", now=now) for _ in range(5)]
    assert [v.mass_access for v in verdicts] == [False, False, True, False, False]
    settings.STRONGROOM_REVEAL_ALERT_AT = 2  # a lower threshold alerts earlier
    assert [reveal_take(staff_id="m2", now=now).mass_access for _ in range(4)] == [
        False, True, False, False]
    settings.STRONGROOM_REVEAL_ALERT_AT = 50  # never above the limit
    assert [reveal_take(staff_id="m3", now=now).mass_access for _ in range(4)] == [
        False, False, True, False]


@pytest.mark.django_db
def test_mass_access_from_the_audit_log_counter(settings):
    settings.STRONGROOM_REVEAL_LIMIT = 3
    _revealed("m-audit", 1)
    assert not reveal_take(staff_id="m-audit").mass_access
    _revealed("m-audit", 1)
    assert reveal_take(staff_id="m-audit").mass_access  # this would be the third
