"""The public policy page, the unsubscribe link and the privacy centre's export and
delete actions, through the pages: bad input is a 4xx and changes nothing."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from django.core import mail

from strongroom.protection.access.models import MarketingConsent
from strongroom.protection.accounts.selectors import PASSWORD_VERIFIED_AT
from strongroom.protection.privacy import services
from strongroom.protection.privacy.models import ConsentRecord, DataExport
from strongroom.protection.vault.selectors import subject_is_erased
from strongroom.testing.factories import user_make

from .conftest import PASSWORD, https_client

pytestmark = pytest.mark.django_db(transaction=True)


def _signed_in(user, *, fresh: bool):
    client = https_client()
    client.force_login(user)
    if fresh:
        session = client.session
        session[PASSWORD_VERIFIED_AT] = time.time()
        session.save()
    return client


def test_policy_is_public_linked_from_every_page_and_keeps_versions(client):
    home = client.get("/").content.decode()
    assert 'href="/privacy/"' in home
    signup = client.get("/account/signup/").content.decode()
    assert 'id="signup-privacy"' in signup
    assert 'type="checkbox"' in signup and "checked" not in signup.split('name="marketing"')[1][:80]
    page = client.get("/privacy/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Version 1" in html and "contact / email" in html and "essential cookies" in html
    assert client.get("/privacy/?version=1").status_code == 200
    for bad in ("99", "x", "1" * 20):
        assert client.get(f"/privacy/?version={bad}").status_code == 404


def test_signup_consent_is_opt_in_and_recorded_with_its_wording(client):
    for email, ticked in (("yes@example.test", True), ("no@example.test", False)):
        data = {"email": email, "full_name": "Sam Shopper", "password": "a long passphrase here",
                "password_confirm": "a long passphrase here"}
        if ticked:
            data["marketing"] = "on"
        assert https_client().post("/account/signup/", data).status_code == 200
    yes = ConsentRecord.objects.get()
    assert yes.method == "signup" and yes.agreed
    assert yes.wording == services.CONSENT_WORDING["marketing_email"]
    assert MarketingConsent.objects.filter(agreed=True).count() == 1


def test_unsubscribe_link_asks_then_withdraws_without_signing_in(client):
    user = user_make()
    services.consent_set(user=user, purpose="marketing_email", agreed=True, method="account")
    token = services.unsubscribe_token(user=user)
    url = f"/privacy/unsubscribe/{token}/"
    assert client.get(url).status_code == 200
    assert MarketingConsent.objects.get(user=user).agreed  # a GET (link scanner) changes nothing
    for bad in (f"/privacy/unsubscribe/{token[:-1]}x/", "/privacy/unsubscribe/abc/"):
        assert client.post(bad).status_code == 400
    assert MarketingConsent.objects.get(user=user).agreed
    r = client.post(url, {"List-Unsubscribe": "One-Click"})  # RFC 8058, no CSRF token
    assert r.status_code == 200 and "unsubscribed" in r.content.decode()
    assert not MarketingConsent.objects.get(user=user).agreed


def test_export_through_the_page_needs_a_fresh_sign_in_and_works_once():
    user = user_make(email="exp@example.test", full_name="Ella Export")
    stale = _signed_in(user, fresh=False)
    assert stale.post("/account/privacy/export/").status_code == 302
    page = stale.get("/account/privacy/").content.decode()
    link = re.search(r'href="(/account/privacy/exports/[^"]+/)"', page).group(1)
    r = stale.get(link)
    assert r.status_code == 302 and r["Location"].startswith("/account/security/confirm/")
    fresh = _signed_in(user, fresh=True)
    other = _signed_in(user_make(), fresh=True)
    assert other.get(link).status_code == 404  # someone else's export
    assert fresh.get(link[:-3] + "xx/").status_code in (404, 410)  # tampered
    r = fresh.get(link)
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content) if r.streaming
                                    else r.content)) as archive:
        assert "ella export" in archive.read("data.json").decode().lower()
    assert fresh.get(link).status_code == 410  # once
    assert DataExport.objects.get().archive is None


def test_delete_account_needs_fresh_sign_in_and_confirmation_then_signs_out():
    user = user_make(email="del@example.test")
    stale = _signed_in(user, fresh=False)
    r = stale.post("/account/privacy/delete/", {"confirm": "on"})
    assert r.status_code == 302 and "confirm" in r["Location"]
    assert not subject_is_erased(subject_id=user.subject_id)
    me = _signed_in(user, fresh=True)
    assert me.post("/account/privacy/delete/", {}).status_code == 400
    assert not subject_is_erased(subject_id=user.subject_id)
    mail.outbox.clear()
    r = me.post("/account/privacy/delete/", {"confirm": "on"})
    assert r.status_code == 302 and r["Location"] == "/account/erased/"
    assert subject_is_erased(subject_id=user.subject_id)
    done = me.get("/account/erased/").content.decode()
    assert "has been erased" in done and "Kept" in done
    assert me.get("/account/privacy/").status_code == 302  # signed out
    assert mail.outbox[-1].to == ["del@example.test"]
    assert https_client().post("/account/login/", {"email": "del@example.test",
                                                   "password": PASSWORD}).status_code != 302
