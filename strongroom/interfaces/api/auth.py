"""Bearer tokens for customers: exchange email, password and (where the account has one)
the second factor for a token; revoke it. The factor check, the audit events and the
new-device notice live in ``accounts.signin.api``, the same rules as the browser's."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import AuthenticationError, Throttled

from strongroom.commerce.cart.selectors import cart_by_token
from strongroom.commerce.cart.services import cart_merge_into_user
from strongroom.errors import ApplicationError
from strongroom.protection.accounts.signin.api import (
    SecondFactorThrottled,
    api_token_sign_in,
    api_token_sign_out,
)

from .errors import Error
from .schemas import TokenIn, TokenOut
from .security import bearer, login_throttle_check, login_throttle_fail, login_throttle_succeed

router = Router(tags=["auth"])


class StaffTokenRefused(ApplicationError):
    code = "staff_token_refused"
    status = 403


@router.post("/token", response={201: TokenOut, 400: Error, 401: Error, 403: Error,
                                  413: Error, 415: Error, 422: Error, 429: Error},
             summary="Exchange email, password and second factor for a bearer token")
def token_create(request: HttpRequest, payload: TokenIn):
    """The same 401 answers an unknown email and a wrong password (and both take the
    same time: Django hashes a dummy password for unknown accounts). An account with a
    second factor must also send `code` (401 `mfa_required` without it, `mfa_invalid` for
    a wrong one; a passkey-only account gets 403 `passkey_only`). A guest cart named by
    `X-Cart-Token` is merged into the customer's cart."""
    login_throttle_check(request, email=payload.email)
    user = authenticate(request, username=payload.email, password=payload.password)
    if user is None:
        login_throttle_fail(request, email=payload.email, password=payload.password)
        raise AuthenticationError()
    login_throttle_succeed(request, email=payload.email)
    if user.is_staff:
        raise StaffTokenRefused("Staff accounts sign in to the console with MFA; "
                                "they cannot have API tokens.")
    try:
        token, raw = api_token_sign_in(request=request, user=user, code=payload.code,
                                       name=payload.name)
    except SecondFactorThrottled as exc:
        raise Throttled(wait=exc.retry_after) from None
    guest_cart = cart_by_token(token=request.headers.get("X-Cart-Token"))
    if guest_cart is not None and guest_cart.user_id is None:
        cart_merge_into_user(cart=guest_cart, user=user)
    return Status(201, {"token": raw, "token_type": "Bearer", "expires_at": token.expires_at})


@router.delete("/token", auth=bearer, response={204: None, 401: Error},
               summary="Revoke the bearer token used for this request")
def token_revoke(request: HttpRequest):
    api_token_sign_out(request=request, token=request.auth)
    return Status(204, None)
