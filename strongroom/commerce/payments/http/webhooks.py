"""Webhook endpoints: ``/payments/webhooks/sandbox/`` and ``/payments/webhooks/stripe/``.

No session, no CSRF token (the gateway is not a browser): the signature is the only
credential. A rejected delivery gets a 400 and one warning line naming the reason — never
the payload, which could carry whatever an attacker chose to put in it."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..errors import GatewayUnavailable, WebhookInvalid
from ..services import webhook_receive

log = logging.getLogger("strongroom.payments.webhooks")
MAX_BODY = 64 * 1024
GATEWAYS = ("sandbox", "stripe")


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, gateway: str) -> HttpResponse:
    if gateway not in GATEWAYS:
        return JsonResponse({"error": "unknown gateway"}, status=404)
    body = request.body
    if len(body) > MAX_BODY:
        log.warning("webhook rejected: gateway=%s reason=body too large", gateway)
        return JsonResponse({"error": "too large"}, status=413)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        outcome = webhook_receive(gateway_name=gateway, body=body, headers=headers)
    except WebhookInvalid as exc:
        log.warning("webhook rejected: gateway=%s reason=%s bytes=%d", gateway, exc, len(body))
        return JsonResponse({"error": "invalid signature"}, status=400)
    except GatewayUnavailable:
        log.warning("webhook deferred: gateway=%s reason=gateway unreachable", gateway)
        return JsonResponse({"error": "try again"}, status=503)  # the gateway retries
    return JsonResponse({"received": True, "outcome": outcome})
