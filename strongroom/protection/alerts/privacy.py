"""Operator alerts hold no personal data by contract (data inventory)."""

from strongroom.inventory import Use, declare

declare("alerts.Alert", Use("security", "none", "audit"),
        system=["id", "kind", "source", "severity", "summary", "detail", "dedupe_key", "count",
                "first_seen", "last_seen", "acknowledged_at", "acknowledged_by"])
