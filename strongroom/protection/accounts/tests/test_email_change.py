"""Changing the sign-in email: password (and a fresh second factor) to ask, a link to
the new address to prove it, a notice to the old one, no enumeration, nothing in clear."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.accounts.models import EmailChange
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.accounts import totp_enrol
from strongroom.testing.factories import user_make

from .conftest import PASSWORD, login

pytestmark = pytest.mark.django_db
NEW = "cora.new@example.test"


def _ask(client, new_email=NEW, password=PASSWORD):
    return client.post(reverse("storefront:email_change"),
                       {"new_email": new_email, "password": password})


def _link(mail) -> str:
    return re.search(r"https?://\S+/account/email/confirm/\S+/", mail.body).group(0)


def _events(user) -> list[AuditEvent]:
    return [AuditEvent(e) for e in AuditEntry.objects.filter(subject_id=str(user.subject_id))
            .order_by("at_us", "seq").values_list("event", flat=True)]


def test_change_by_link_then_sign_in_with_the_new_address(client, customer, sends, mailoutbox):
    assert login(client, customer.email).status_code == 302
    with sends():
        response = _ask(client)
    assert response.status_code == 200 and NEW in response.content.decode()
    (mail,) = mailoutbox
    assert mail.to == [NEW] and "confirm your new email" in mail.subject
    link = _link(mail)
    path = link.split("testserver")[-1]
    assert client.get(path).status_code == 200  # a page with a button, no change yet
    customer.refresh_from_db()
    assert customer.email == "cora@example.test"
    with sends():
        done = client.post(path)
    assert done.status_code == 302
    customer.refresh_from_db()
    assert customer.email == NEW and customer.email_verified_at is not None
    notice = mailoutbox[-1]
    assert notice.to == ["cora@example.test"] and "was changed" in notice.subject
    assert NEW not in notice.body and "c\u2022\u2022\u2022@e" in notice.body  # shown masked
    assert client.post(path).status_code == 400  # single use
    assert _events(customer)[-2:] == [AuditEvent.EMAIL_CHANGE_REQUESTED,
                                      AuditEvent.EMAIL_CHANGED]
    client.logout()
    assert login(client, "cora@example.test").status_code == 400  # the old one is gone
    assert login(client, NEW.upper()).status_code == 302


def test_wrong_password_bad_or_same_address_change_nothing(client, customer, mailoutbox):
    client.force_login(customer)
    wrong = _ask(client, password="not the password at all")
    assert wrong.status_code == 400 and "not your password" in wrong.content.decode()
    assert _ask(client, new_email="not an address").status_code == 400
    same = _ask(client, new_email="CORA@example.test")
    assert same.status_code == 400 and "already your email" in same.content.decode()
    assert not EmailChange.objects.exists() and not mailoutbox


def test_an_address_with_an_account_answers_the_same_and_tells_its_owner(client, customer,
                                                                         sends, mailoutbox):
    other = user_make(email="taken@example.test")
    client.force_login(customer)
    with sends():
        response = _ask(client, new_email="Taken@Example.test")
    assert response.status_code == 200 and "Check the new inbox" in response.content.decode()
    (mail,) = mailoutbox
    assert mail.to == ["taken@example.test"] and "/account/email/confirm/" not in mail.body
    assert not EmailChange.objects.exists()
    other.refresh_from_db()
    customer.refresh_from_db()
    assert (customer.email, other.email) == ("cora@example.test", "taken@example.test")


def test_with_a_second_factor_a_fresh_one_is_needed(client, customer):
    totp_enrol(customer)
    client.force_login(customer)
    response = client.get(reverse("storefront:email_change"))
    assert response.status_code == 302 and reverse("storefront:mfa_step_up") in response.url


def test_expired_unknown_and_raced_links_fail_closed(client, customer, sends, mailoutbox):
    client.force_login(customer)
    with sends():
        _ask(client)
    path = _link(mailoutbox[0]).split("testserver")[-1]
    assert client.get("/account/email/confirm/not-a-token/").status_code == 400
    EmailChange.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(path).status_code == 400 and client.post(path).status_code == 400
    EmailChange.objects.all().delete()
    with sends():
        _ask(client)
    path = _link(mailoutbox[-1]).split("testserver")[-1]
    user_make(email=NEW)  # someone signed up with it meanwhile
    assert client.post(path).status_code == 400
    customer.refresh_from_db()
    assert customer.email == "cora@example.test"


def test_requests_are_limited_per_hour(client, customer, sends):
    client.force_login(customer)
    codes = []
    for n in range(7):
        with sends():
            codes.append(_ask(client, new_email=f"n{n}@example.test").status_code)
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert EmailChange.objects.count() == 1  # only the newest request is live


def test_the_pending_address_and_token_are_not_stored_in_clear(client, customer, sends,
                                                              mailoutbox):
    client.force_login(customer)
    with sends():
        _ask(client, new_email="canary.zq81@example.test")
    token = _link(mailoutbox[0]).rstrip("/").rsplit("/", 1)[-1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT new_email, token_hash FROM accounts_email_change")
        raw, token_hash = cursor.fetchone()
    assert b"canary" not in bytes(raw).lower() and token not in token_hash
