"""Who is calling: a customer's bearer token, or a guest cart's ``X-Cart-Token``.

The API never looks at cookies. ``request.user`` (filled from the session cookie by
Django's middleware) is deliberately unused, so a page on another site cannot ride a
logged-in shopper's session into the API (CSRF), and ninja's cookie/CSRF machinery is
never involved. Bearer and cart tokens travel in headers a browser will not attach
cross-site.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError, Throttled
from ninja.security import APIKeyHeader, HttpBearer

from strongroom.commerce.cart.models import Cart
from strongroom.commerce.cart.selectors import cart_by_token
from strongroom.errors import ApplicationError
from strongroom.protection.accounts.models import ApiToken
from strongroom.protection.accounts.throttling.throttle import (
    throttle_check,
    throttle_failure,
    throttle_success,
)
from strongroom.protection.accounts.tokens import api_token_get
from strongroom.protection.incidents.canaries import canary_api_read


class BearerToken(HttpBearer):
    """``Authorization: Bearer sr_…`` -> the live ``ApiToken``. A header that is present
    but wrong is a 401, never a silent fall-through to guest access."""

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        header = request.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError()
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        api_token = api_token_get(raw=token)
        # Staff must pass MFA; a password-only API token would step around it.
        if api_token is None or api_token.user.is_staff:
            raise AuthenticationError()
        # A canary record's token reads a trap: the alarm goes off in this request.
        canary_api_read(token_id=api_token.pk, subject_id=api_token.user.subject_id,
                        request=request)
        return api_token


class CartTokenInvalid(ApplicationError):
    """A credential that opens nothing is a 401, like a bad bearer token (and as the
    OpenAPI document says), not a 404 that would describe a resource."""

    code = "invalid_cart_token"
    status = 401


class CartToken(APIKeyHeader):
    """``X-Cart-Token`` -> the guest cart it opens. A cart that has been claimed by an
    account is reachable only with that account's bearer token."""

    param_name = "X-Cart-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Cart | None:
        if not key:
            return None
        cart = cart_by_token(token=key)
        if cart is None or cart.user_id is not None:
            raise CartTokenInvalid("No such cart: create one with POST /api/cart.")
        return cart


bearer = BearerToken()
cart_token = CartToken()

# --- Password guessing on POST /api/auth/token --------------------------------------------
# The accounts throttle (per account and per address, growing delays, stuffing alerts,
# state shared across processes in the database or Redis), in its own "api" scope.


def login_throttle_check(request: HttpRequest, *, email: str) -> None:
    """Refuse (429) before checking the password while a delay is running."""
    blocked = throttle_check(email=email, ip=request.META.get("REMOTE_ADDR", ""), scope="api")
    if blocked is not None:
        raise Throttled(wait=blocked.retry_after)


def login_throttle_fail(request: HttpRequest, *, email: str, password: str = "") -> None:
    throttle_failure(email=email, ip=request.META.get("REMOTE_ADDR", ""), password=password,
                     scope="api")


def login_throttle_succeed(request: HttpRequest, *, email: str) -> None:
    throttle_success(email=email, ip=request.META.get("REMOTE_ADDR", ""), scope="api")
