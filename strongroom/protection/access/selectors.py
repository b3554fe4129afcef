"""Access reads: a staff member's role and permissions, which customers and orders they
may open (object level), and how each personal field is shown to them.

Every answer comes from ``roles.ROLE_TABLE``. Nothing here checks that the viewer is
signed in to the console: ``interfaces.console.permissions`` does that first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from strongroom.masking import mask_field
from strongroom.protection.access.errors import StaffNotFound
from strongroom.protection.access.gates import data_access_refusal
from strongroom.protection.access.models import (
    MarketingConsent,
    RevealFreeze,
    StaffInvite,
    StaffRole,
)
from strongroom.protection.access.roles import (
    FIELD_GROUPS,
    NO_ROLE,
    ROLE_TABLE,
    STATUS_CHANGES,
    FieldGroup,
    Perm,
    Policy,
    Role,
    RolePolicy,
    Scope,
)

AWAITING_SHIPMENT = ("paid", "fulfilled")
_GROUP_OF = {name: group for group, names in FIELD_GROUPS.items() for name in names}


# --- roles and permissions ---------------------------------------------------------------



def reveals_frozen() -> bool:
    """Has incident containment frozen reveals and exports store-wide?"""
    return RevealFreeze.objects.filter(pk=1, frozen=True).exists()


def role_of(user: Any) -> Role | None:
    """The role of an active staff account, else None. Cached on the user object for the
    request; a role change applies from the next request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not (user.is_active and user.is_staff):
        return None
    if not hasattr(user, "_access_role"):
        row = StaffRole.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
        if row is not None:
            user._access_role = Role(row)
        else:  # the account `strongroom init`/`demo`/`createsuperuser` made
            user._access_role = Role.OWNER if user.is_superuser else None
    return user._access_role


def policy_of(user: Any) -> RolePolicy:
    """The role's row, narrowed while a gate refuses the viewer customer data (e.g. their
    training is not current): then every field shown in the clear is masked instead.
    Revealable fields stay masked and revealable, so a reveal reaches
    ``services.field_reveal``, which refuses it and records the refusal."""
    role = role_of(user)
    if role is None:
        return NO_ROLE
    policy = ROLE_TABLE[role]
    if data_access_refusal(user) is not None:
        return _masked(policy)
    return policy


def _masked(policy: RolePolicy) -> RolePolicy:
    fields = {g: Policy.MASKED if p == Policy.CLEAR else p for g, p in policy.fields.items()}
    return RolePolicy(policy.label, policy.perms, policy.customers, policy.orders, fields)


def has_perm(user: Any, perm: Perm) -> bool:
    return perm in policy_of(user).perms


def perms_of(user: Any) -> frozenset[Perm]:
    return policy_of(user).perms


def status_change_allowed(user: Any, to_status: str) -> bool:
    role = role_of(user)
    if role is None or not has_perm(user, Perm.ORDERS_CHANGE_STATUS):
        return False
    allowed = STATUS_CHANGES.get(role)
    return allowed is None or to_status in allowed


# --- object level: which customers and orders ---------------------------------------------


def customers_visible(*, viewer: Any, customers: QuerySet) -> QuerySet:
    """Narrow a customer queryset to those ``viewer`` may see."""
    scope = policy_of(viewer).customers if has_perm(viewer, Perm.CUSTOMERS_VIEW) else Scope.NONE
    if scope == Scope.ALL:
        return customers
    if scope == Scope.MARKETING_CONSENT:
        return customers.filter(marketing_consent__agreed=True)
    return customers.none()


def customer_visible(*, viewer: Any, customer: Any) -> bool:
    model = get_user_model()
    return customers_visible(viewer=viewer, customers=model.objects.filter(pk=customer.pk)
                             ).exists()


def orders_visible(*, viewer: Any, orders: QuerySet) -> QuerySet:
    scope = policy_of(viewer).orders if has_perm(viewer, Perm.ORDERS_VIEW) else Scope.NONE
    if scope == Scope.ALL:
        return orders
    if scope == Scope.AWAITING_SHIPMENT:
        return orders.filter(status__in=AWAITING_SHIPMENT)
    return orders.none()


def order_visible(*, viewer: Any, order: Any) -> bool:
    scope = policy_of(viewer).orders if has_perm(viewer, Perm.ORDERS_VIEW) else Scope.NONE
    if scope == Scope.AWAITING_SHIPMENT:
        return order.status in AWAITING_SHIPMENT
    return scope == Scope.ALL


def order_statuses_visible(*, viewer: Any) -> tuple[str, ...] | None:
    """The statuses a viewer's order list may filter on (None: any)."""
    scope = policy_of(viewer).orders
    return AWAITING_SHIPMENT if scope == Scope.AWAITING_SHIPMENT else None


# --- fields: clear, masked, revealed or hidden -------------------------------------------


class FieldView:
    """How one row's personal fields appear to one viewer. ``view["email"]`` is the text
    to show ("" when empty, None when hidden); ``clear`` names the fields shown as stored
    (what the view's audit event lists); ``revealable`` the groups a reveal would open."""

    def __init__(self, row: Any, *, policy: RolePolicy, names: Iterable[str],
                 revealed: Iterable[FieldGroup] = ()) -> None:
        self.row = row
        self.values: dict[str, str | None] = {}
        self.clear: list[str] = []
        self.masked: set[str] = set()
        revealed = set(revealed)
        groups: set[FieldGroup] = set()
        for name in names:
            group = _GROUP_OF[name]
            mode = policy.field(group)
            raw = getattr(row, name, "")
            if mode == Policy.HIDDEN:
                self.values[name] = None
            elif mode == Policy.CLEAR or (mode == Policy.REVEAL and group in revealed):
                self.values[name] = str(raw or "")
                if raw:
                    self.clear.append(name)
            else:
                self.values[name] = mask_field(name, raw)
                self.masked.add(name)
                if mode == Policy.REVEAL and raw:
                    groups.add(group)
        self.revealable = sorted(groups, key=list(FieldGroup).index)

    def __getitem__(self, name: str) -> str | None:
        return self.values[name]

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def hidden(self, name: str) -> bool:
        return self.values.get(name) is None


def field_view(*, viewer: Any, row: Any, names: Iterable[str],
               revealed: Iterable[FieldGroup] = ()) -> FieldView:
    return FieldView(row, policy=policy_of(viewer), names=names, revealed=revealed)


def revealable_groups(*, viewer: Any) -> list[FieldGroup]:
    policy = policy_of(viewer)
    return [g for g in FieldGroup if policy.field(g) == Policy.REVEAL]


def can_reveal(*, viewer: Any, groups: Iterable[FieldGroup]) -> bool:
    allowed = set(revealable_groups(viewer=viewer))
    groups = set(groups)
    return bool(groups) and groups <= allowed


def fields_of(groups: Iterable[FieldGroup]) -> list[str]:
    return [name for group in groups for name in FIELD_GROUPS[group]]


# --- staff and consent ---------------------------------------------------------------------


def staff_list() -> QuerySet:
    """Every staff account (active, invited or disabled), with its role row."""
    return (get_user_model().objects.filter(is_staff=True)
            .select_related("staff_role").order_by("date_joined", "pk"))


def staff_get(*, staff_id: object) -> Any:
    try:
        pk = uuid.UUID(str(staff_id))
    except (TypeError, ValueError, AttributeError):
        raise StaffNotFound("No such staff member.") from None
    user = staff_list().filter(pk=pk).first()
    if user is None:
        raise StaffNotFound("No such staff member.")
    return user


def owners_active() -> QuerySet:
    return get_user_model().objects.filter(is_staff=True, is_active=True).filter(
        Q(staff_role__role=Role.OWNER) | Q(staff_role__isnull=True, is_superuser=True))


def invite_pending(*, user: Any) -> bool:
    return StaffInvite.objects.filter(user=user, used_at=None,
                                      expires_at__gt=timezone.now()).exists()


def staff_roles_by_id(*, user_ids: Iterable[str]) -> dict[str, Role | None]:
    """The role of each staff account id (for labelling audit events), one query."""
    ids = [i for i in set(user_ids) if i]
    rows = get_user_model().objects.filter(pk__in=_uuids(ids), is_staff=True).values_list(
        "pk", "is_superuser", "staff_role__role")
    return {str(pk): Role(role) if role else (Role.OWNER if su else None)
            for pk, su, role in rows}


def staff_by_id(*, user_ids: Iterable[str]) -> dict[str, Any]:
    ids = [i for i in set(user_ids) if i]
    return {str(u.pk): u for u in get_user_model().objects.filter(
        pk__in=_uuids(ids), is_staff=True)}


def _uuids(ids: Iterable[str]) -> list:
    out = []
    for value in ids:
        try:
            out.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return out


def marketing_consent_of(*, user: Any) -> MarketingConsent | None:
    return MarketingConsent.objects.filter(user_id=user.pk).first()
