from django.conf import settings
from django.http import HttpRequest


def store(request: HttpRequest) -> dict:
    return {
        "store_name": settings.STRONGROOM_STORE_NAME,
        "csp_nonce": getattr(request, "csp_nonce", ""),
        # Called only by the pages that use it (templates call callables).
        "account_base": lambda: account_base(request),
    }


def account_base(request: HttpRequest) -> str:
    """The layout of the pages staff share with customers (second factors, step-up):
    staff see the console's, not the shop's with its cart and categories."""
    user = getattr(request, "user", None)
    return "console/base.html" if user is not None and user.is_staff else "storefront/base.html"
