"""Incidents (data inventory). The scope names data subjects only by their pseudonymous
vault id; the free text is written by the owner or security officer, who are asked to
name accounts by number, not by person."""

from strongroom.inventory import Use, declare

INCIDENT = Use("security", "legal_obligation", "audit", ("database", "backups"))

declare("incidents.Incident", INCIDENT,
        system=["id", "number", "title", "kind", "severity", "status", "became_aware_at",
                "created_at", "closed_at", "alert_id", "lead", "communications", "technical",
                "actor_id", "review_cause", "review_lessons", "review_follow_ups", "exercise"])
declare("incidents.TimelineEntry", INCIDENT, system=["id", "incident", "at", "kind", "text", "by"])
declare("incidents.ScopeEntry", INCIDENT,
        personal={"subject_id": "user.unique_id.pseudonymous"},
        system=["id", "incident", "events", "categories", "first_at", "last_at"])
declare("incidents.Notice", INCIDENT,
        system=["id", "incident", "kind", "subject", "body", "approved_at", "approved_by"])
declare("incidents.Delivery", INCIDENT,
        personal={"subject_id": "user.unique_id.pseudonymous", "at": "user.behavior"},
        system=["id", "incident", "status"])
declare("incidents.Playbook", INCIDENT, system=["kind", "text", "changed_at"])
declare("incidents.PlaybookTick", INCIDENT, system=["id", "incident", "step", "at", "by"])
declare("incidents.Canary", INCIDENT,
        personal={"marker": "user.unique_id.pseudonymous"},
        system=["id", "subject", "tag", "planted_at"])
declare("incidents.BlockedRange", INCIDENT,
        personal={"network": "user.device.ip_address"},
        system=["id", "incident", "created_at", "expires_at", "lifted_at", "by"])
declare("incidents.ResponseSettings", INCIDENT, system=["id", "time_zone"])
declare("incidents.RiskLink", INCIDENT, system=["id", "incident", "risk"])
