"""Who is calling: a customer's bearer token, or a guest cart's ``X-Cart-Token``.

The API never looks at cookies. ``request.user`` (filled from the session cookie by
Django's middleware) is deliberately unused, so a page on another site cannot ride a
logged-in shopper's session into the API (CSRF), and ninja's cookie/CSRF machinery is
never involved. Bearer and cart tokens travel in headers a browser will not attach
cross-site.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from ninja.errors import AuthenticationError, Throttled
from ninja.security import APIKeyHeader, HttpBearer

from strongroom.commerce.cart.errors import CartNotFound
from strongroom.commerce.cart.models import Cart
from strongroom.commerce.cart.selectors import cart_by_token
from strongroom.protection.accounts.models import ApiToken
from strongroom.protection.accounts.tokens import api_token_get


class BearerToken(HttpBearer):
    """``Authorization: Bearer sr_…`` -> the live ``ApiToken``. A header that is present
    but wrong is a 401, never a silent fall-through to guest access."""

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        header = request.headers.get("Authorization")
        if not header:
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
        return api_token


class CartToken(APIKeyHeader):
    """``X-Cart-Token`` -> the guest cart it opens. A cart that has been claimed by an
    account is reachable only with that account's bearer token."""

    param_name = "X-Cart-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Cart | None:
        if not key:
            return None
        cart = cart_by_token(token=key)
        if cart is None or cart.user_id is not None:
            raise CartNotFound("No such cart: create one with POST /api/cart.")
        return cart


bearer = BearerToken()
cart_token = CartToken()

# --- Password guessing on POST /api/auth/token --------------------------------------------
LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_MAX_FAILURES_PER_ACCOUNT = 10
LOGIN_MAX_FAILURES_PER_ADDRESS = 50


def _login_keys(request: HttpRequest, email: str) -> list[tuple[str, int]]:
    # The email and the IP address are keyed-hashed (HMAC under SECRET_KEY) so the cache
    # (Redis, in production) holds no personal data, and a plain hash of a list of
    # emails or of the IPv4 space cannot reverse its keys. REMOTE_ADDR, not
    # X-Forwarded-For, which any client can write.
    who = _pseudonym("email", email.strip().lower())
    addr = _pseudonym("addr", request.META.get("REMOTE_ADDR", ""))
    return [(f"api:login:acct:{who}", LOGIN_MAX_FAILURES_PER_ACCOUNT),
            (f"api:login:addr:{addr}", LOGIN_MAX_FAILURES_PER_ADDRESS)]


def _pseudonym(kind: str, value: str) -> str:
    return salted_hmac(f"strongroom.api.login-throttle.{kind}", value,
                       algorithm="sha256").hexdigest()


def login_throttle_check(request: HttpRequest, *, email: str) -> None:
    """Refuse (429) before checking the password once too many guesses failed."""
    for key, limit in _login_keys(request, email):
        if (cache.get(key) or 0) >= limit:
            raise Throttled(wait=LOGIN_WINDOW_SECONDS)


def login_throttle_fail(request: HttpRequest, *, email: str) -> None:
    for key, _ in _login_keys(request, email):
        if not cache.add(key, 1, LOGIN_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, LOGIN_WINDOW_SECONDS)
