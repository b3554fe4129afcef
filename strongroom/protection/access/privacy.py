"""Staff roles and invitations, and the customers' marketing answer (data inventory)."""

from strongroom.inventory import Use, declare

STAFF = Use("staff", "contract", "account")

declare("access.StaffRole", STAFF, system=["user", "role", "changed_at", "changed_by",
                                           "enabled_at"])
declare("access.StaffInvite", Use("staff", "contract", "short", ("database", "mail")),
        system=["id", "user", "token_hash", "invited_by", "created_at", "expires_at", "used_at"])
declare("access.MarketingConsent", Use("marketing", "consent", "consent"),
        personal={"agreed": "user.privacy_preferences", "changed_at": "user.privacy_preferences"},
        system=["user", "source"])
declare("access.RevealFreeze", Use("security", "none", "operational"),
        system=["id", "frozen", "changed_at", "changed_by"])
