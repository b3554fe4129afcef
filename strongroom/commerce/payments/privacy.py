"""Payments (data inventory): only brand, last 4 and expiry of a card, never its number."""

from strongroom.inventory import OPERATIONAL, Use, declare

PAYMENT = Use("payments", "contract", "orders", ("database", "backups", "gateway"))
BOOKS = Use("accounting", "legal_obligation", "orders", ("database", "backups", "gateway"))
SECURITY = Use("security", "none", "audit")

declare("payments.Payment", PAYMENT,
        personal={"card_brand": "user.financial.credit_card",
                  "card_last4": "user.financial.credit_card",
                  "card_exp_month": "user.financial.credit_card",
                  "card_exp_year": "user.financial.credit_card"},
        system=["id", "order", "gateway", "gateway_reference", "gateway_payment", "checkout_url",
                "status", "failure_code", "amount", "amount_refunded", "currency", "paid_at",
                "created_at", "updated_at"],
        uses={name: BOOKS for name in ("amount", "amount_refunded", "currency", "paid_at")})
declare("payments.Refund", BOOKS, system=["id", "payment", "amount", "status", "gateway_reference",
                                          "reason", "error", "actor", "created_at"])
declare("payments.WebhookEvent", OPERATIONAL, system=["id", "gateway", "event_id", "event_type",
                                                      "received_at"])
declare("payments.CspReport", SECURITY, system=["id", "document", "directive", "blocked", "count",
                                                "payment_page",
                                                "first_seen", "last_seen"])
declare("payments.PageBaseline", SECURITY, system=["id", "page", "fingerprint", "details",
                                                   "accepted_at", "accepted_by"])
declare("payments.PaymentAlert", SECURITY,
        system=["id", "kind", "subject", "message", "fingerprint", "details", "created_at",
                "resolved_at", "resolved_by"])
