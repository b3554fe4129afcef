"""The fideslang data-category names (the taxonomy the SPEC names for the privacy
vocabulary), as published in fideslang 3.1.4 (``fideslang/default_taxonomy/data_categories.py``).

fideslang itself is not a dependency: it pins pydantic < 2.13 and the store runs a newer
pydantic (django-ninja). So the keys are shipped here, and ``tests/test_taxonomy.py`` checks
that every category the inventory uses is one of them (and that this list is the full
published one: 85 keys under ``user`` and ``system``).
"""

from __future__ import annotations

FIDESLANG_VERSION = "3.1.4"

DATA_CATEGORIES: frozenset[str] = frozenset({
    "user",
    "user.account",
    "user.account.settings",
    "user.account.username",
    "user.authorization",
    "user.authorization.credentials",
    "user.authorization.biometric",
    "user.authorization.password",
    "user.behavior",
    "user.behavior.browsing_history",
    "user.behavior.media_consumption",
    "user.behavior.purchase_history",
    "user.behavior.search_history",
    "user.biometric",
    "user.biometric.fingerprint",
    "user.biometric.retinal",
    "user.biometric.voice",
    "user.biometric.health",
    "user.childrens",
    "user.contact",
    "user.contact.address",
    "user.contact.address.city",
    "user.contact.address.country",
    "user.contact.email",
    "user.contact.phone_number",
    "user.contact.url",
    "user.contact.fax_number",
    "user.contact.address.postal_code",
    "user.contact.address.state",
    "user.contact.address.street",
    "user.contact.organization",
    "user.content",
    "user.content.private",
    "user.content.public",
    "user.content.self_image",
    "user.demographic",
    "user.demographic.age_range",
    "user.demographic.date_of_birth",
    "user.demographic.gender",
    "user.demographic.language",
    "user.demographic.marital_status",
    "user.demographic.political_opinion",
    "user.demographic.profile",
    "user.demographic.race_ethnicity",
    "user.demographic.religious_belief",
    "user.demographic.sexual_orientation",
    "user.location",
    "user.location.imprecise",
    "user.location.precise",
    "user.device",
    "user.device.cookie",
    "user.device.cookie_id",
    "user.device.device_id",
    "user.device.ip_address",
    "user.payment",
    "user.social",
    "user.unique_id",
    "user.unique_id.pseudonymous",
    "user.telemetry",
    "user.user_sensor",
    "user.workplace",
    "user.sensor",
    "user.financial",
    "user.financial.bank_account",
    "user.financial.credit_card",
    "user.government_id",
    "user.government_id.birth_certificate",
    "user.government_id.drivers_license_number",
    "user.government_id.immigration",
    "user.government_id.national_identification_number",
    "user.government_id.passport_number",
    "user.government_id.vehicle_registration",
    "user.health_and_medical",
    "user.health_and_medical.genetic",
    "user.health_and_medical.insurance_beneficiary_id",
    "user.health_and_medical.record_id",
    "user.name",
    "user.name.first",
    "user.name.last",
    "user.criminal_history",
    "user.privacy_preferences",
    "user.job_title",
    "system",
    "system.authentication",
    "system.operations",
})


def category_valid(key: str) -> bool:
    return key in DATA_CATEGORIES


def category_is_personal(key: str) -> bool:
    """``system.*`` categories describe the system, not a person."""
    return not (key == "system" or key.startswith("system."))
