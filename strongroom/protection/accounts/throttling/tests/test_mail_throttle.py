"""Issue 11 item 9: 20 password resets for one victim's address from one client in 3 s
sent 20 emails (and spent 20 argon2 hashes); sign-up with an existing address likewise.
Emails are now limited per target address and per client, and neither limit tells
whether an address has an account."""

from __future__ import annotations

import re

import pytest

from strongroom.protection.accounts.tests.conftest import PASSWORD
from strongroom.protection.accounts.throttling.mailthrottle import (
    EMAILS_PER_ADDRESS,
    REQUESTS_PER_CLIENT,
)
from strongroom.sharedcache import shared_cache_down, shared_cache_reset

pytestmark = pytest.mark.django_db
RESET = "/account/password/reset/"
SIGNUP = "/account/signup/"


@pytest.fixture(params=["database", "redis"])
def store_backend(request, settings):
    if request.param == "redis":
        import redis

        url = f"{request.getfixturevalue('redis_server')}/4"  # this run's own server
        redis.Redis.from_url(url).flushdb()
        settings.STRONGROOM_REDIS_URL = url
        shared_cache_reset()
        yield
        redis.Redis.from_url(url).flushdb()
        # Every count of this test went to Redis: a fallback to the database in the middle
        # would split the counters (and let twice the limit through).
        assert not shared_cache_down(), "Redis fell back to the database during the test"
    else:
        settings.STRONGROOM_REDIS_URL = None
        yield


def _page(response, email: str) -> str:
    """The page without its CSRF token and the address typed."""
    return re.sub(r'value="[^"]{32,}"', "", response.content.decode()).replace(email, "E")


def _signup(email: str) -> dict:
    return {"email": email, "full_name": "Some One", "password": PASSWORD,
            "password_confirm": PASSWORD}


def test_twenty_resets_for_one_address_send_at_most_the_limit(client, customer, sends,
                                                               mailoutbox, store_backend):
    statuses = []
    with sends():
        for _ in range(20):
            statuses.append(client.post(RESET, {"email": customer.email}).status_code)
    assert statuses == [200] * 20  # the same page every time
    assert len(mailoutbox) == EMAILS_PER_ADDRESS


def test_sign_up_with_an_existing_address_is_limited_the_same_way(client, customer, sends,
                                                                 mailoutbox, store_backend):
    with sends():
        statuses = [client.post(SIGNUP, _signup(customer.email)).status_code
                    for _ in range(10)]
    assert statuses == [200] * 10
    assert len(mailoutbox) == EMAILS_PER_ADDRESS
    assert all("already have an account" in m.subject for m in mailoutbox)


def test_one_client_is_stopped_before_any_work_and_learns_nothing(make_client, customer,
                                                                  sends, mailoutbox,
                                                                  store_backend):
    """Many addresses from one client: a 429 after the limit, for known and unknown
    addresses alike; another client is still served."""
    attacker = make_client(REMOTE_ADDR="203.0.113.7")
    for n in range(REQUESTS_PER_CLIENT):
        assert attacker.post(RESET, {"email": f"n{n}@example.test"}).status_code == 200
    with sends():
        known = attacker.post(RESET, {"email": customer.email})
        unknown = attacker.post(RESET, {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 429
    assert "Too many requests" in known.content.decode()
    assert _page(known, customer.email) == _page(unknown, "nobody@example.test")
    assert mailoutbox == []
    # Sign-up counts separately; another network is unaffected.
    assert attacker.post(SIGNUP, _signup("fresh@example.test")).status_code == 200
    with sends():
        assert make_client(REMOTE_ADDR="198.51.100.9").post(
            RESET, {"email": customer.email}).status_code == 200
    assert len(mailoutbox) == 1


def test_the_address_limit_answers_alike_for_known_and_unknown_addresses(client, customer):
    pages = []
    for email in (customer.email, "nobody@example.test"):
        for _ in range(EMAILS_PER_ADDRESS + 1):
            response = client.post(RESET, {"email": email})
        pages.append((response.status_code, _page(response, email)))
    assert pages[0] == pages[1]
