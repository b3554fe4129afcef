"""The store's security posture: package versions, advisories, check results and risks.
No customer data; a risk's owner is a role or a staff member's name the store chooses."""

from strongroom.inventory import OPERATIONAL, Use, declare

STAFF = Use("staff", "legitimate_interests", "operational")

declare("posture.ScanRun", OPERATIONAL,
        system=["id", "started_at", "finished_at", "source", "ok", "error", "advisories",
                "packages", "findings", "support"])
declare("posture.Finding", OPERATIONAL,
        system=["id", "ecosystem", "package", "version", "advisory_id", "aliases", "summary",
                "severity", "score", "fixed", "upgrade", "first_seen", "last_seen",
                "resolved_at"])
declare("posture.AuditRun", OPERATIONAL,
        system=["id", "at", "score", "critical_failed", "counts", "report"])
declare("posture.Risk", OPERATIONAL,
        personal={"owner": "user.name"},
        system=["id", "code", "title", "threat", "asset", "likelihood", "impact", "treatment",
                "review_due", "checks", "created_at", "updated_at", "reviewed_at",
                "reviewed_by"],
        uses={"owner": STAFF})
