"""The customer's consent answers over the API: the same service (and proof) as the
sign-up form and the account page, recorded with "how: API"."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from strongroom.protection.access.selectors import marketing_consent_of
from strongroom.protection.privacy import selectors, services

from .errors import Error
from .security import bearer

router = Router(tags=["privacy"], auth=bearer)


class ConsentIn(Schema):
    purpose: str = Field(..., pattern="^marketing_email$", max_length=40)
    agreed: bool


class ConsentRecordOut(Schema):
    purpose: str
    agreed: bool
    wording: str
    policy_version: int | None
    method: str
    at: datetime


class ConsentsOut(Schema):
    marketing_email: bool
    wording: dict[str, str]
    history: list[ConsentRecordOut]


def _consents(user) -> dict:
    current = marketing_consent_of(user=user)
    return {
        "marketing_email": bool(current and current.agreed),
        "wording": services.CONSENT_WORDING,
        "history": [{"purpose": c.purpose, "agreed": c.agreed, "wording": c.wording,
                     "policy_version": c.policy_version.number if c.policy_version else None,
                     "method": c.method, "at": c.at}
                    for c in selectors.consent_history(user=user)[:50]],
    }


@router.get("/consents", response={200: ConsentsOut, 401: Error},
            summary="The customer's consent answers and their history")
def consents(request: HttpRequest):
    return _consents(request.auth.user)


@router.put("/consents", response={200: ConsentsOut, 400: Error, 401: Error, 413: Error,
                                   415: Error, 422: Error},
            summary="Give or withdraw consent for one purpose (recorded with proof)")
def consent_put(request: HttpRequest, payload: ConsentIn):
    user = request.auth.user
    services.consent_set(user=user, purpose=payload.purpose, agreed=payload.agreed,
                         method="api", request=request)
    return _consents(user)
