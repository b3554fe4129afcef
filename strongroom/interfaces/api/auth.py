"""Bearer tokens for customers: exchange email + password for a token, revoke it."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import AuthenticationError

from strongroom.commerce.cart.selectors import cart_by_token
from strongroom.commerce.cart.services import cart_merge_into_user
from strongroom.errors import ApplicationError
from strongroom.protection.accounts.tokens import api_token_create, api_token_revoke

from .errors import Error
from .schemas import TokenIn, TokenOut
from .security import bearer, login_throttle_check, login_throttle_fail, login_throttle_succeed

router = Router(tags=["auth"])


class StaffTokenRefused(ApplicationError):
    code = "staff_token_refused"
    status = 403


@router.post("/token", response={201: TokenOut, 400: Error, 401: Error, 403: Error,
                                  413: Error, 415: Error, 422: Error, 429: Error},
             summary="Exchange email and password for a bearer token")
def token_create(request: HttpRequest, payload: TokenIn):
    """The same 401 answers an unknown email and a wrong password (and both take the
    same time: Django hashes a dummy password for unknown accounts). A guest cart named
    by `X-Cart-Token` is merged into the customer's cart."""
    login_throttle_check(request, email=payload.email)
    user = authenticate(request, username=payload.email, password=payload.password)
    if user is None:
        login_throttle_fail(request, email=payload.email, password=payload.password)
        raise AuthenticationError()
    login_throttle_succeed(request, email=payload.email)
    if user.is_staff:
        raise StaffTokenRefused("Staff accounts sign in to the console with MFA; "
                                "they cannot have API tokens.")
    token, raw = api_token_create(user=user, name=payload.name)
    guest_cart = cart_by_token(token=request.headers.get("X-Cart-Token"))
    if guest_cart is not None and guest_cart.user_id is None:
        cart_merge_into_user(cart=guest_cart, user=user)
    return Status(201, {"token": raw, "token_type": "Bearer", "expires_at": token.expires_at})


@router.delete("/token", auth=bearer, response={204: None, 401: Error},
               summary="Revoke the bearer token used for this request")
def token_revoke(request: HttpRequest):
    api_token_revoke(token=request.auth)
    return Status(204, None)
