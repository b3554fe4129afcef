"""The privacy app's own tables in the data inventory."""

from strongroom.inventory import OPERATIONAL, Use, declare

PROOF = Use("privacy", "legal_obligation", "consent")
REQUESTS = Use("privacy", "legal_obligation", "orders")

declare("privacy.PolicyVersion", OPERATIONAL,
        system=["id", "number", "published_at", "sha256", "text", "document"])
declare("privacy.PolicySection", OPERATIONAL,
        system=["id", "title", "body", "position", "updated_at", "updated_by"])
declare("privacy.ConsentRecord", PROOF,
        personal={"agreed": "user.privacy_preferences", "at": "user.privacy_preferences",
                  "subject_id": "user.unique_id.pseudonymous"},
        system=["id", "user", "purpose", "wording", "wording_sha256", "policy_version",
                "method"])
declare("privacy.DataExport", Use("privacy", "legal_obligation", "exports", ("database",)),
        personal={"archive": "user"},
        system=["id", "user", "subject", "status", "progress", "token_hash", "size",
                "created_at", "ready_at", "expires_at", "downloaded_at"])
declare("privacy.PrivacyRequest", REQUESTS,
        personal={"subject_id": "user.unique_id.pseudonymous"},
        system=["id", "reference", "kind", "channel", "user", "received_at", "due_at",
                "verification", "verified_by", "assignee", "status", "erase_after",
                "closed_at", "outcome"])
declare("privacy.ErasureLedgerEntry", Use("privacy", "legal_obligation", "ledger",
                                          ("database", "backups", "files")),
        personal={"subject_id": "user.unique_id.pseudonymous"},
        system=["seq", "erased_at", "request_id"])
declare("privacy.ErasureReceipt", Use("privacy", "legal_obligation", "ledger"),
        personal={"subject_id": "user.unique_id.pseudonymous"},
        system=["id", "request_id", "erased_at", "document", "signature", "key_id"])
declare("privacy.RetentionNotice", Use("privacy", "legal_obligation", "account"),
        system=["user", "sent_at"])
