"""What the people app keeps: staff training results, access reviews and phishing-test
outcomes (personal data about staff, kept to run the store's security programme), and
the vendor register (companies, no personal data)."""

from strongroom.inventory import OPERATIONAL, Use, declare

STAFF = Use("staff", "legitimate_interests", "operational")

declare("people.QuizAttempt", STAFF,
        personal={"score": "user.workplace", "order": "user.behavior"},
        system=["id", "user", "module", "version", "created_at", "graded_at"])
declare("people.TrainingCompletion", STAFF,
        personal={"score": "user.workplace", "completed_at": "user.workplace",
                  "expires_at": "user.workplace", "reminded_at": "user.workplace"},
        system=["id", "user", "module", "version"])
declare("people.Vendor", OPERATIONAL,
        system=["id", "key", "name", "service", "purpose", "legal_basis", "fields",
                "dpa_signed_on", "dpa_document", "certifications", "region",
                "transfer_mechanism", "risk_tier", "next_review_on", "assessment",
                "assessment_score", "assessed_at", "active", "created_at"])
declare("people.AccessReview", STAFF,
        system=["id", "started_at", "started_by", "period_start", "due_at", "completed_at"])
declare("people.AccessReviewItem", STAFF,
        personal={"role": "user.job_title", "last_activity": "user.behavior",
                  "reveals": "user.behavior", "decision": "user.workplace",
                  "new_role": "user.job_title"},
        system=["id", "review", "user", "decided_by", "decided_at"])
declare("people.PhishingCampaign", STAFF,
        system=["id", "template", "created_by", "created_at", "send_at", "status",
                "sent_at", "cancelled_at", "cancelled_by"])
declare("people.PhishingTarget", STAFF,
        personal={"sent_at": "user.workplace", "clicked_at": "user.behavior",
                  "reported_at": "user.behavior"},
        system=["id", "campaign", "user"])
