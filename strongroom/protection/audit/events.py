"""What can happen, and who can do it. Numbers are stored: never renumber a member.

One ``IntEnum`` with one numeric range per domain (Zulip's ``AuditLogEventType``
style), so a range query selects a domain (``event__range=Domain.ACCESS.range``) and
a new event gets the next free number in its domain. ``events_misplaced()`` (a
system check and a test) refuses a member outside its domain's range.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class Domain(IntEnum):
    ACCOUNTS = 1000
    ACCESS = 2000
    COMMERCE = 3000
    PRIVACY = 4000
    VAULT = 5000
    SETTINGS = 6000
    EXPORTS = 7000
    RECOVERY = 8000  # backups, restores, drills, maintenance mode
    SYSTEM = 9000  # 9100-9199: the task queue (jobs)
    POSTURE = 10000  # SBOM, vulnerability scans, self-audit, risk register
    PEOPLE = 11000  # training, phishing simulation, access reviews, vendors
    INCIDENTS = 12000  # incidents, containment, breach scope, notifications, canaries

    @property
    def range(self) -> tuple[int, int]:
        return (self.value, self.value + 999)


class AuditEvent(IntEnum):
    # --- accounts 1000-1999: sign-in, credentials, sessions ---------------------------
    LOGIN_SUCCEEDED = 1000
    LOGIN_FAILED = 1001
    LOGOUT = 1002
    ACCOUNT_CREATED = 1010
    EMAIL_VERIFIED = 1011
    EMAIL_CHANGE_REQUESTED = 1012
    EMAIL_CHANGED = 1013
    PASSWORD_CHANGED = 1020
    PASSWORD_RESET_REQUESTED = 1021
    PASSWORD_RESET = 1022
    PASSWORD_RESET_FORCED = 1023
    MFA_ENROLLED = 1030
    MFA_REMOVED = 1031
    MFA_CHALLENGE_FAILED = 1032
    RECOVERY_CODES_REGENERATED = 1033
    ACCOUNT_LOCKED = 1040
    ACCOUNT_UNLOCKED = 1041
    SESSION_REVOKED = 1050
    CREDENTIAL_STUFFING_SUSPECTED = 1060
    SECURITY_ALERT_ACKNOWLEDGED = 1061
    API_TOKEN_CREATED = 1070  # after LOGIN_SUCCEEDED: password and second factor given
    API_TOKEN_REVOKED = 1071
    # --- access 2000-2999: staff reads of customer data, roles, staff accounts ---------
    CUSTOMER_VIEWED = 2000  # a console/API page showed (masked) customer data
    ORDER_VIEWED = 2001
    FIELD_REVEALED = 2002  # fields=[...], reason required
    REVEAL_RATE_LIMITED = 2003  # a reveal refused over the limit (alerted at the first)
    ROLE_CHANGED = 2010
    STAFF_INVITED = 2020
    STAFF_ACTIVATED = 2021
    STAFF_DISABLED = 2022
    STAFF_IDLE_DISABLED = 2023
    STAFF_ENABLED = 2024
    AUDIT_LOG_SEARCHED = 2030  # reading the audit log is itself audited
    # --- commerce 3000-3999 ---------------------------------------------------------------
    ORDER_PLACED = 3000
    ORDER_STATUS_CHANGED = 3001
    ORDER_REFUNDED = 3002
    # 3010-3019: money. A payment applied to an order, refunds asked for and answered.
    ORDER_PAID = 3010  # the gateway captured the money and the order became paid
    REFUND_REQUESTED = 3011  # staff asked for a refund (reason: amount and currency)
    REFUND_SUCCEEDED = 3012  # the gateway confirmed it
    REFUND_FAILED = 3013  # the gateway refused it
    # 3020-3029: payment-page integrity (PCI DSS 11.6.1) and payment alerts.
    PAYMENT_PAGE_BASELINE_ACCEPTED = 3020
    PAYMENT_ALERT_RESOLVED = 3021
    # 3030-3049: the catalog: what a shopper sees and pays.
    CATEGORY_CREATED = 3030
    PRODUCT_CREATED = 3031
    PRODUCT_UPDATED = 3032  # fields=[what changed]
    VARIANT_CREATED = 3033  # reason: sku, price, stock
    VARIANT_UPDATED = 3034  # name or availability; fields=[what changed]
    PRICE_CHANGED = 3035  # reason: "old -> new CUR"
    STOCK_CHANGED = 3036  # reason: "old -> new" (set by staff; sales are ORDER_PLACED)
    CUSTOMERS_IMPORTED = 3100  # reason: how many, from which file
    # --- privacy 4000-4999 ----------------------------------------------------------------
    CONSENT_GIVEN = 4000
    CONSENT_WITHDRAWN = 4001
    DATA_ACCESS_REQUESTED = 4010
    ERASURE_REQUESTED = 4020
    SUBJECT_ERASED = 4021
    PRIVACY_POLICY_PUBLISHED = 4030  # a new version of the generated policy
    PRIVACY_POLICY_SECTION_CHANGED = 4031  # the owner's own text
    ERASURE_REFUSED = 4040  # staff without the permission, or an unverified request
    ERASURE_SCHEDULED = 4041  # the customer asked; the store's grace period runs
    ERASURE_CANCELLED = 4042
    PRIVACY_REQUEST_OPENED = 4050  # a request that came by email, phone or post
    PRIVACY_REQUEST_UPDATED = 4051  # verified, assigned
    PRIVACY_REQUEST_CLOSED = 4052
    RETENTION_SWEPT = 4060  # reason holds the counts
    RETENTION_NOTICE_SENT = 4061  # "your unused account will be closed"
    # --- vault / keys 5000-5999 -------------------------------------------------------------
    KEK_ROTATED = 5000
    DATA_REENCRYPTED = 5001
    INDEX_KEY_ROTATED = 5002
    KEY_RETIRED = 5010
    SUBJECT_SHREDDED = 5020
    DECRYPTION_FAILED = 5030
    SIGNING_KEY_CREATED = 5040
    TLS_CERTIFICATE_RENEWED = 5050
    # --- settings 6000-6999 -----------------------------------------------------------------
    SETTING_CHANGED = 6000
    MAINTENANCE_MODE_CHANGED = 6001
    # --- exports 7000-7999 ------------------------------------------------------------------
    EXPORT_CREATED = 7000
    EXPORT_DOWNLOADED = 7001
    EXPORT_REQUESTED = 7010  # a customer asked for their data (built by the worker)
    EXPORT_REFUSED = 7011  # a used, expired or tampered download link
    # --- recovery 8000-8999: backups, restores, drills ---------------------------------------
    BACKUP_COMPLETED = 8000
    BACKUP_FAILED = 8001
    BACKUP_VERIFIED = 8002
    BACKUP_RESTORED = 8010
    AUDIT_GAP_DECLARED = 8011  # events after the restored backup's point are not in the log
    ERASURE_LEDGER_REPLAYED = 8012
    BACKUP_DRILL_COMPLETED = 8020
    BACKUP_DRILL_FAILED = 8021
    BACKUPS_PRUNED = 8030
    RECOVERY_KEY_CREATED = 8040
    # --- people 11000-11999: training, vendors, sharing, access reviews ------------------
    TRAINING_COMPLETED = 11000  # reason: "module vN score S%" (passed)
    TRAINING_FAILED = 11001  # a quiz below the pass mark (reason: module, version, score)
    TRAINING_GATE_REFUSED = 11002  # a reveal refused: training not current (reason: modules)
    VENDOR_CREATED = 11100
    VENDOR_UPDATED = 11101  # fields=[what changed]
    VENDOR_ASSESSED = 11102  # reason: questionnaire score
    VENDOR_DATA_SHARED = 11110  # fields=[categories], reason: vendor, counts (no values)
    VENDOR_SHARE_REFUSED = 11111  # an unregistered vendor: nothing sent
    ACCESS_REVIEW_STARTED = 11200
    ACCESS_REVIEW_DECIDED = 11201  # one staff account confirmed or changed
    ACCESS_REVIEW_COMPLETED = 11202
    PHISHING_CAMPAIGN_SENT = 11300  # reason: template, how many staff
    PHISHING_LINK_CLICKED = 11301  # the first click of one staff member's link
    PHISHING_REPORTED = 11302  # a staff member used "Report phishing"
    PHISHING_CAMPAIGN_SCHEDULED = 11303  # reason: template, how many staff, send time (UTC)
    PHISHING_CAMPAIGN_CANCELLED = 11304  # before it was sent
    # --- system 9000-9999 -------------------------------------------------------------------
    AUDIT_CHECKPOINTED = 9000
    AUDIT_VERIFY_FAILED = 9001
    JOB_RUN_REQUESTED = 9100  # "Run now" in the console or `strongroom jobs run NAME`
    # --- posture 10000-10999: SBOM, vulnerability scans, self-audit, risk register -----------
    VULNERABILITY_SCAN_RUN = 10000
    VULNERABILITY_SCAN_FAILED = 10001  # no advisory data could be read
    SBOM_GENERATED = 10002
    SELF_AUDIT_RUN = 10010
    RISK_CREATED = 10020
    RISK_CHANGED = 10021
    RISK_REVIEWED = 10022
    RISKS_SEEDED = 10023
    # --- incidents 12000-12999: incident response -------------------------------------------
    INCIDENT_OPENED = 12000  # object: the incident; reason: type and severity
    INCIDENT_UPDATED = 12001  # status, roles, severity; reason: what changed
    INCIDENT_NOTE_ADDED = 12002
    INCIDENT_SCOPE_RECORDED = 12010  # reason: the query and how many customers
    CONTAINMENT_CUSTOMERS_SIGNED_OUT = 12020
    CONTAINMENT_STAFF_SIGNED_OUT = 12021
    CONTAINMENT_PASSWORDS_RESET = 12022
    CONTAINMENT_STAFF_DISABLED = 12023
    CONTAINMENT_REVEALS_FROZEN = 12024
    CONTAINMENT_REVEALS_UNFROZEN = 12025
    CONTAINMENT_KEK_ROTATED = 12026
    CONTAINMENT_MAINTENANCE = 12027
    CONTAINMENT_API_TOKENS_REVOKED = 12028  # every account's tokens (each API_TOKEN_REVOKED)
    CONTAINMENT_SECRET_KEY_ROTATED = 12029  # no fallback kept: every session ended
    NOTICE_EDITED = 12030  # reason: customer | regulator
    NOTICE_APPROVED = 12031
    NOTICES_SENT = 12032  # one batch; reason: how many sent, how many had no account
    PLAYBOOK_EDITED = 12040  # reason: the incident type
    PLAYBOOK_STEP_DONE = 12041
    EXERCISE_ACTION_REHEARSED = 12050  # a containment action recorded, not executed
    CANARIES_PLANTED = 12060  # reason: how many (which ones is never written down)
    CANARY_TRIPPED = 12061  # object: the alert; reason: the event and who touched it
    CONTAINMENT_RANGE_BLOCKED = 12070  # reason: the network and until when
    CONTAINMENT_RANGE_UNBLOCKED = 12071
    CONTAINMENT_WEBHOOK_SECRET_ROTATED = 12080  # reason: gateway, grace end (never a secret)
    CONTAINMENT_WEBHOOK_GRACE_ENDED = 12081  # the old webhook secret refused from now on
    CONTAINMENT_SECRET_KEY_ROLLED = 12090  # routine: the old key a fallback until (reason)
    CONTAINMENT_SECRET_KEY_FALLBACKS_DROPPED = 12091  # earlier keys refused from now on

    @property
    def domain(self) -> Domain:
        return Domain(self.value // 1000 * 1000)

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


def events_misplaced() -> list[AuditEvent]:
    """Members whose number lies outside every domain range (should be none)."""
    starts = {d.value for d in Domain}
    return [e for e in AuditEvent if e.value // 1000 * 1000 not in starts]


class ActorType(IntEnum):
    SYSTEM = 1  # a command, a scheduled job, the platform itself
    CUSTOMER = 2
    STAFF = 3
    API_CLIENT = 4
    ANONYMOUS = 5  # a visitor or guest: no account (yet)

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


@dataclass(frozen=True)
class Actor:
    """Who did it. ``subject_id`` is the actor's own vault subject (a person's), under
    which their IP address is encrypted, so erasing that person erases it too."""

    type: ActorType
    id: str = ""
    subject_id: uuid.UUID | None = None

    @classmethod
    def of_user(cls, user: Any) -> Actor:
        """A signed-in account: staff if it opens the console, else a customer."""
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(ActorType.ANONYMOUS)
        kind = ActorType.STAFF if user.is_staff else ActorType.CUSTOMER
        return cls(kind, str(user.pk), getattr(user, "subject_id", None))

    @classmethod
    def system(cls, name: str = "") -> Actor:
        return cls(ActorType.SYSTEM, name)

    @classmethod
    def api_client(cls, token_id: str, subject_id: uuid.UUID | None = None) -> Actor:
        return cls(ActorType.API_CLIENT, str(token_id), subject_id)

    @classmethod
    def guest(cls, subject_id: uuid.UUID | None = None) -> Actor:
        return cls(ActorType.ANONYMOUS, "", subject_id)


# Events meaning "this actor saw (or was shown) this subject's personal data".
DATA_SEEN_EVENTS = frozenset({
    AuditEvent.CUSTOMER_VIEWED,
    AuditEvent.ORDER_VIEWED,
    AuditEvent.FIELD_REVEALED,
    AuditEvent.ORDER_STATUS_CHANGED,
    AuditEvent.ORDER_REFUNDED,
    AuditEvent.DATA_ACCESS_REQUESTED,
    AuditEvent.EXPORT_CREATED,
    AuditEvent.EXPORT_DOWNLOADED,
})
