"""Online guessing: one account, many accounts, many addresses; staff lockout; alerts.
Each runs against the database store and against Redis."""

from __future__ import annotations

import math
import time

import pytest

from strongroom.protection.accounts.tests.conftest import PASSWORD, failures, login
from strongroom.protection.accounts.throttling import throttle
from strongroom.protection.alerts.models import Alert
from strongroom.protection.audit.events import AuditEvent
from strongroom.testing.accounts import staff_make
from strongroom.testing.factories import user_make

pytestmark = pytest.mark.django_db


def through(free: int, started: float) -> int:
    """At most how many attempts growing delays (1, 2, 4 ... s) let through since
    ``started``: the free ones, then about one per doubling of the elapsed time."""
    return free + 2 + int(math.log2(time.monotonic() - started + 1))


def test_growing_delays():
    delays = [throttle.growing_delay(n, free=5, cap=900) for n in range(1, 20)]
    assert delays[:5] == [0] * 5 and delays[5:9] == [1, 2, 4, 8] and max(delays) == 900
    assert delays == sorted(delays)


def test_a_thousand_guesses_against_one_account(client, customer, throttle_backend):
    refused, started = 0, time.monotonic()
    for n in range(1000):
        response = login(client, customer.email, f"guess number {n}")
        refused += response.status_code == 429
    # Only the free attempts and the first of the delay reached the password check.
    checked = failures(AuditEvent.LOGIN_FAILED)
    assert checked <= through(throttle.ACCOUNT_FREE, started)
    assert refused == 1000 - checked
    # While the delay runs, even the right password is refused, with the same answer.
    response = login(client, customer.email, PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert "Too many attempts" in response.content.decode()


def test_guesses_spread_over_many_accounts_from_one_address(client, throttle_backend):
    victims = [user_make() for _ in range(12)]
    tried, started = 0, time.monotonic()
    for n in range(1000):
        response = login(client, victims[n % len(victims)].email, "Summer2024!")
        tried += response.status_code != 429
    assert tried <= through(throttle.ADDRESS_FREE, started)  # the address counter
    kinds = set(Alert.objects.values_list("kind", flat=True))
    assert {"signin.credential_stuffing", "signin.password_spraying"} <= kinds
    assert failures(AuditEvent.CREDENTIAL_STUFFING_SUSPECTED) == 2


def test_one_password_sprayed_from_many_addresses_raises_an_alert(client, throttle_backend):
    victims = [user_make() for _ in range(throttle.SPRAY_ACCOUNTS_PER_PASSWORD)]
    for n, victim in enumerate(victims):
        login(client, victim.email, "Winter2024!", REMOTE_ADDR=f"203.0.113.{n + 1}")
    alert = Alert.objects.get(kind="signin.password_spraying")
    assert alert.source == "accounts" and alert.severity == "high"
    assert "5 accounts" in alert.summary and "Winter" not in alert.summary


def test_many_addresses_against_one_account_are_slowed_by_the_account_counter(
        client, customer, throttle_backend):
    started = time.monotonic()
    for n in range(40):
        login(client, customer.email, "nope nope nope", REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert failures(AuditEvent.LOGIN_FAILED) <= through(throttle.ACCOUNT_FREE, started)


def test_staff_lock_after_ten_failures_for_thirty_minutes(client, throttle_backend):
    staff = staff_make(email="sam@example.test")
    blocked_for = []
    for _ in range(throttle.STAFF_LOCK_AFTER):
        # Spread in time: stand in for waiting out each delay.
        throttle.throttle_failure(email=staff.email, ip="192.0.2.1", user=staff)
        blocked_for.append(throttle.throttle_check(email=staff.email, ip="192.0.2.9"))
    assert blocked_for[-1] is not None and blocked_for[-1].retry_after > 29 * 60
    assert failures(AuditEvent.ACCOUNT_LOCKED) == 1
    assert Alert.objects.filter(kind="signin.staff_locked").count() == 1
    response = client.post("/console/login/", {"email": staff.email, "password": PASSWORD})
    assert response.status_code == 429
    throttle.throttle_unlock(email=staff.email)
    assert throttle.throttle_check(email=staff.email, ip="192.0.2.9") is None


def test_customers_are_never_hard_locked(throttle_backend):
    customer = user_make()
    for _ in range(40):
        throttle.throttle_failure(email=customer.email, ip="192.0.2.1", user=customer)
    wait = throttle.throttle_check(email=customer.email, ip="192.0.2.200")
    assert wait is not None and wait.retry_after <= throttle.CUSTOMER_MAX_DELAY


def test_unknown_email_is_throttled_like_a_customer(client, customer, throttle_backend):
    answers = []
    for email in (customer.email, "nobody@example.test"):
        answers.append([login(client, email, f"wrong {n}", REMOTE_ADDR=f"10.0.{len(answers)}.{n}")
                        .status_code for n in range(8)])
    assert answers[0] == answers[1]


def test_a_correct_password_clears_the_account_counter(client, customer, throttle_backend):
    for n in range(throttle.ACCOUNT_FREE - 1):
        login(client, customer.email, f"wrong {n}")
    assert login(client, customer.email).status_code == 302
    client.post("/account/logout/")
    for n in range(throttle.ACCOUNT_FREE):
        assert login(client, customer.email, f"again {n}").status_code == 400


def test_store_keys_hold_no_email_or_address(throttle_backend, customer):
    from strongroom.protection.accounts.models import ThrottleCounter

    throttle.throttle_failure(email=customer.email, ip="192.0.2.77", password="hunter2!")
    if throttle_backend == "database":
        keys = " ".join(ThrottleCounter.objects.values_list("key", flat=True))
    else:
        from strongroom.protection.accounts.internal.store import store

        keys = " ".join(k.decode() for k in store().redis.keys("*"))
    assert "cora" not in keys and "192.0.2" not in keys and "hunter2" not in keys


def test_with_redis_down_sign_in_works_and_is_still_throttled(client, customer, redis_down):
    """Redis down: the right password still signs in, and guesses are counted in the
    database instead (failing open would hand an attacker unlimited guesses)."""
    from strongroom.protection.accounts.models import ThrottleCounter

    started = time.monotonic()
    refused = sum(login(client, customer.email, f"guess {n}").status_code == 429
                  for n in range(30))
    assert failures(AuditEvent.LOGIN_FAILED) <= through(throttle.ACCOUNT_FREE, started)
    assert refused >= 30 - through(throttle.ACCOUNT_FREE, started)
    assert ThrottleCounter.objects.exists()  # the database store took over
    throttle.throttle_unlock(email=customer.email)
    response = login(client, customer.email, PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session
