from __future__ import annotations

from django.db.models import QuerySet

from .models import CspReport, PageBaseline, Payment, PaymentAlert, Refund


def payment_latest(*, order) -> Payment | None:
    return Payment.objects.filter(order=order).order_by("-created_at").first()


def payment_get_by_session(*, gateway: str, session_id: str) -> Payment | None:
    return Payment.objects.filter(gateway=gateway, gateway_reference=session_id).first()


def refunds_for_order(*, order) -> QuerySet[Refund]:
    return Refund.objects.filter(payment__order=order).select_related("actor")


def alerts_open() -> QuerySet[PaymentAlert]:
    return PaymentAlert.objects.filter(resolved_at=None)


def alert_open_get(*, alert_id: int) -> PaymentAlert | None:
    return PaymentAlert.objects.filter(pk=alert_id, resolved_at=None).first()


def csp_reports_recent(*, limit: int = 100) -> list[CspReport]:
    return list(CspReport.objects.order_by("-last_seen")[:limit])


def page_baselines() -> QuerySet[PageBaseline]:
    return PageBaseline.objects.select_related("accepted_by").order_by("page")
