"""People system checks. Stable IDs:
  training.E001  a training module file cannot be read (its quiz would not work)
  training.W001  the training gate is off (STRONGROOM_TRAINING_GATE): untrained staff
                 see and reveal customer data
  vendors.E001   an active integration (payment gateway, email) has no active entry in
                 the vendor register (the sharing gate would refuse everything it sends)
  vendors.W001   an active vendor's review is overdue or one of its certifications has
                 expired (it still receives data: the register says it is unvetted)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from strongroom.protection.people.training.catalog import CatalogError, modules_load
from strongroom.protection.people.vendors.selectors import (
    integrations_unregistered,
    vendor_flags,
    vendors_list,
)


@checks.register()
def check_training_modules(app_configs: Any = None, **kwargs: Any) -> list:
    try:
        modules_load()
    except (CatalogError, OSError, UnicodeDecodeError) as exc:
        return [checks.Error(f"a training module cannot be read: {exc}", id="training.E001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_training_gate(app_configs: Any = None, **kwargs: Any) -> list:
    if getattr(settings, "STRONGROOM_TRAINING_GATE", True):
        return []
    return [checks.Warning("STRONGROOM_TRAINING_GATE is off: staff without current "
                           "training see and reveal customer data", id="training.W001")]


@checks.register(checks.Tags.security, deploy=True)
def check_vendor_register(app_configs: Any = None, **kwargs: Any) -> list:
    try:
        missing = integrations_unregistered()
    except DatabaseError:  # not migrated yet: `migrate` seeds the register
        return []
    return [checks.Error(f"the active integration {key!r} ({what}) has no active entry in "
                         "the vendor register: add it (Console → Vendors) so the sharing "
                         "gate lets its data through", id="vendors.E001")
            for key, what in missing]


@checks.register(checks.Tags.security, deploy=True)
def check_vendor_vetting(app_configs: Any = None, **kwargs: Any) -> list:
    try:
        vendors = list(vendors_list(active_only=True))
    except DatabaseError:  # not migrated yet
        return []
    return [checks.Warning(f"vendor {v.key!r}: {'; '.join(lapsed)} (Console → Vendors)",
                           id="vendors.W001")
            for v in vendors
            if (lapsed := [f for f in vendor_flags(vendor=v) if "overdue" in f or "expired" in f])]
