"""At login the guest's cart joins the account's cart, so nothing picked is lost."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from strongroom.commerce.cart.selectors import cart_by_token
from strongroom.commerce.cart.services import cart_merge_into_user

from .shopper import cart_token_take


@receiver(user_logged_in, dispatch_uid="storefront.cart_merge_at_login")
def cart_merge_at_login(sender, request=None, user=None, **kwargs) -> None:
    if request is None or user is None or not hasattr(request, "session"):
        return
    token = cart_token_take(request)
    guest_cart = cart_by_token(token=token) if token else None
    # Only an anonymous cart may be merged: a token can never pull in another account's.
    if guest_cart is not None and guest_cart.user_id is None:
        cart_merge_into_user(cart=guest_cart, user=user)
