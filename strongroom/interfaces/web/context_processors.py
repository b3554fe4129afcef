from django.conf import settings
from django.http import HttpRequest


def store(request: HttpRequest) -> dict:
    return {
        "store_name": settings.STRONGROOM_STORE_NAME,
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
