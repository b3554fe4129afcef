"""Staff roles: what each may do, and which customer data each may see. THE table.

Read ``ROLE_TABLE`` top to bottom to answer "can a support agent refund?" or "does
marketing see phone numbers?": every console view and every template decision asks it
(through ``access.selectors``), nothing else grants access. A staff account without a
role row gets nothing (deny by default); a superuser without one is the owner (the
account ``strongroom init``/``demo`` creates).

Scopes say *which* customers and orders a role may open at all (object level: anything
outside the scope is a 404, indistinguishable from an unknown id). Field policies say
*how* each group of personal fields is shown on what the role may open:
  CLEAR   shown as stored
  REVEAL  masked (``j•••@e•••.com``); revealed on request with a reason and a recent
          MFA check, each reveal an audit event, rate-limited per staff member
  MASKED  masked, no reveal
  HIDDEN  not shown at all
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    SECURITY_OFFICER = "security_officer"
    SUPPORT = "support"
    FULFILMENT = "fulfilment"
    MARKETING = "marketing"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_TABLE[self].label


class Perm(StrEnum):
    DASHBOARD_STATS = "dashboard.stats"  # order counts and revenue (no personal data)
    ORDERS_VIEW = "orders.view"
    ORDERS_CHANGE_STATUS = "orders.change_status"
    ORDERS_REFUND = "orders.refund"  # also needs a recent MFA check
    CUSTOMERS_VIEW = "customers.view"
    CUSTOMER_ACCESS_HISTORY = "customers.access_history"  # "who accessed this customer"
    PRODUCTS_VIEW = "products.view"
    PRODUCTS_MANAGE = "products.manage"
    PAYMENT_SECURITY_VIEW = "payments.security.view"
    PAYMENT_SECURITY_MANAGE = "payments.security.manage"
    AUDIT_VIEW = "audit.view"
    # Every alert (sign-in attacks, reveal limit, payment pages, audit verification,
    # backups, jobs, ...) on one page; managing = acknowledging one (audited).
    ALERTS_VIEW = "alerts.view"
    ALERTS_MANAGE = "alerts.manage"
    SIGN_IN_ALERTS_VIEW = "alerts.view"  # old names of the two above (aliases)
    SIGN_IN_ALERTS_MANAGE = "alerts.manage"
    STAFF_MANAGE = "staff.manage"
    # The periodic access review (PCI DSS 7.2.4): open it, confirm or disable accounts;
    # changing a role in it also needs staff.manage.
    ACCESS_REVIEW = "access.review"
    PRIVACY_VIEW = "privacy.view"  # data inventory, erasure ledger (no personal data)
    PRIVACY_REQUESTS = "privacy.requests"  # the queue of requests received by email/phone
    PRIVACY_ERASE = "privacy.erase"  # erase a customer for a verified request
    PRIVACY_POLICY_MANAGE = "privacy.policy.manage"  # the owner's free text in the policy
    JOBS_VIEW = "jobs.view"  # the Jobs page: schedules, runs, errors (no personal data)
    JOBS_RUN = "jobs.run"  # "Run now" (audited)
    POSTURE_VIEW = "posture.view"  # patches, self-audit reports, risk register (read)
    POSTURE_MANAGE = "posture.manage"  # add, edit and review risks
    RECOVERY_VIEW = "backups.view"  # the Disaster recovery page and plan (no personal data)
    MAINTENANCE_MANAGE = "backups.maintenance"  # pause / reopen the shop
    INCIDENTS_VIEW = "incidents.view"  # incidents, timeline, breach scope
    INCIDENTS_MANAGE = "incidents.manage"  # open/update incidents, containment (+ recent MFA)


class Scope(StrEnum):
    NONE = "none"
    ALL = "all"
    AWAITING_SHIPMENT = "awaiting_shipment"  # orders: paid or packed, not yet shipped
    MARKETING_CONSENT = "marketing_consent"  # customers: agreed to marketing


class Policy(StrEnum):
    HIDDEN = "hidden"
    MASKED = "masked"
    REVEAL = "reveal"
    CLEAR = "clear"


class FieldGroup(StrEnum):
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"

    @property
    def label(self) -> str:
        return {"name": "Name", "email": "Email", "phone": "Phone",
                "address": "Address"}[self.value]


# Which model fields each group covers (orders and saved addresses share the names).
FIELD_GROUPS: dict[FieldGroup, tuple[str, ...]] = {
    FieldGroup.NAME: ("full_name",),
    FieldGroup.EMAIL: ("email",),
    FieldGroup.PHONE: ("phone",),
    FieldGroup.ADDRESS: ("line1", "line2", "city", "postal_code"),
}


@dataclass(frozen=True)
class RolePolicy:
    label: str
    perms: frozenset[Perm]
    customers: Scope
    orders: Scope
    fields: dict[FieldGroup, Policy]

    def field(self, group: FieldGroup) -> Policy:
        return self.fields.get(group, Policy.HIDDEN)


def _fields(name: Policy, email: Policy, phone: Policy, address: Policy) -> dict:
    return {FieldGroup.NAME: name, FieldGroup.EMAIL: email, FieldGroup.PHONE: phone,
            FieldGroup.ADDRESS: address}


P, C, R, M, H = Perm, Policy.CLEAR, Policy.REVEAL, Policy.MASKED, Policy.HIDDEN
NO_FIELDS = _fields(H, H, H, H)

ROLE_TABLE: dict[Role, RolePolicy] = {
    #                                     name email phone address
    Role.OWNER: RolePolicy(
        "Owner", frozenset(Perm), Scope.ALL, Scope.ALL, _fields(C, R, R, R)),
    Role.ADMIN: RolePolicy(
        "Admin", frozenset({
            P.DASHBOARD_STATS, P.ORDERS_VIEW, P.ORDERS_CHANGE_STATUS, P.ORDERS_REFUND,
            P.CUSTOMERS_VIEW, P.CUSTOMER_ACCESS_HISTORY, P.PRODUCTS_VIEW, P.PRODUCTS_MANAGE,
            P.PAYMENT_SECURITY_VIEW, P.ALERTS_VIEW,
            P.PRIVACY_VIEW, P.PRIVACY_REQUESTS, P.PRIVACY_ERASE, P.JOBS_VIEW, P.JOBS_RUN,
            P.POSTURE_VIEW}),
        Scope.ALL, Scope.ALL, _fields(C, R, R, R)),
    Role.SECURITY_OFFICER: RolePolicy(
        "Security officer", frozenset({
            P.AUDIT_VIEW, P.PAYMENT_SECURITY_VIEW, P.PAYMENT_SECURITY_MANAGE,
            P.ALERTS_VIEW, P.ALERTS_MANAGE, P.PRIVACY_VIEW, P.JOBS_VIEW, P.JOBS_RUN,
            P.POSTURE_VIEW, P.POSTURE_MANAGE, P.INCIDENTS_VIEW, P.INCIDENTS_MANAGE,
            P.ACCESS_REVIEW}),
        Scope.NONE, Scope.NONE, NO_FIELDS),
    Role.SUPPORT: RolePolicy(
        "Support", frozenset({
            P.ORDERS_VIEW, P.CUSTOMERS_VIEW, P.CUSTOMER_ACCESS_HISTORY, P.PRODUCTS_VIEW,
            P.PRIVACY_REQUESTS}),
        Scope.ALL, Scope.ALL, _fields(C, R, R, R)),
    Role.FULFILMENT: RolePolicy(
        "Fulfilment", frozenset({P.ORDERS_VIEW, P.ORDERS_CHANGE_STATUS, P.PRODUCTS_VIEW}),
        Scope.NONE, Scope.AWAITING_SHIPMENT, _fields(C, H, C, C)),
    Role.MARKETING: RolePolicy(
        "Marketing", frozenset({P.CUSTOMERS_VIEW, P.PRODUCTS_VIEW}),
        Scope.MARKETING_CONSENT, Scope.NONE, _fields(C, R, H, H)),
    Role.AUDITOR: RolePolicy(
        "Auditor", frozenset({P.AUDIT_VIEW, P.PRIVACY_VIEW, P.POSTURE_VIEW}), Scope.NONE,
        Scope.NONE,
        NO_FIELDS),
}

# Status changes a role may make (fulfilment packs and ships; nothing else).
STATUS_CHANGES: dict[Role, frozenset[str] | None] = {
    Role.FULFILMENT: frozenset({"fulfilled", "shipped"}),
}  # absent: any transition the order allows

NO_ROLE = RolePolicy("No role", frozenset(), Scope.NONE, Scope.NONE, NO_FIELDS)
