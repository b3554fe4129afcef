"""Every way into a session asks for the second factor an account has (issue 11 item 1:
the API token skipped it; the same gap was looked for on every other route). The
password sign-in (storefront and console) is covered in test_attacks; here the routes
that start from an emailed single-use link. Password reset and email change links sign
nobody in (tested in test_attacks and test_email_change)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from strongroom.protection.access import staff as staff_services
from strongroom.protection.access.roles import Role
from strongroom.protection.accounts.selectors import MFA_VERIFIED_AT, PASSWORD_VERIFIED_AT
from strongroom.protection.accounts.services import email_verification_tokens
from strongroom.testing.accounts import staff_make, totp_code, totp_enrol
from strongroom.testing.factories import user_make

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
VERIFY = reverse("storefront:mfa_step_up")


def _confirm_link(user) -> str:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return reverse("storefront:email_verify", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": email_verification_tokens.make_token(user)})


def test_email_confirmation_link_asks_for_the_second_factor(client):
    user = user_make(email="linked@example.test")
    user.email_verified_at = None  # e.g. imported, with a factor, before confirming
    user.save(update_fields=["email_verified_at"])
    secret = totp_enrol(user)
    response = client.get(_confirm_link(user))
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert "_auth_user_id" not in client.session  # the link alone is not a sign-in
    assert client.get("/account/").status_code == 302
    response = client.post(VERIFY, {"code": totp_code(secret)})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert MFA_VERIFIED_AT in client.session
    assert PASSWORD_VERIFIED_AT not in client.session  # a link is not the password


def test_email_confirmation_without_a_factor_still_signs_in(client):
    user = user_make(email="plain@example.test")
    user.email_verified_at = None
    user.save(update_fields=["email_verified_at"])
    response = client.get(_confirm_link(user))
    assert response.status_code == 302 and response.url == reverse("storefront:account")
    assert "_auth_user_id" in client.session


def test_staff_invitation_link_asks_for_an_enrolled_second_factor(client):
    owner = staff_make(email="boss@example.test")
    invited, raw = staff_services.staff_invite(
        email="newdesk@example.test", full_name="New Desk", role=Role.SUPPORT, by=owner,
        link=lambda token: f"https://testserver/console/invite/{token}/")
    secret = totp_enrol(invited)  # a factor left from before (defence in depth)
    response = client.post(reverse("console:invite_accept", args=[raw]),
                           {"password": PASSWORD + " again", "password_again":
                            PASSWORD + " again"})
    assert response.status_code == 302 and response.url.startswith(VERIFY), response
    assert "_auth_user_id" not in client.session
    response = client.post(VERIFY, {"code": totp_code(secret)})
    assert response.status_code == 302 and "_auth_user_id" in client.session
