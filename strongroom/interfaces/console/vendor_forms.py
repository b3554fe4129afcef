"""Vendor register forms. Shared fields are typed one per line as ``field = category``
(fideslang data categories, e.g. ``user.contact.email``; ``system.operations`` for a
field without personal data). A personal category must be one the store holds: one in
the privacy inventory, or a broader one above it (``user.contact.address``), so the
register cannot name data the store does not have, or misspell what it does. Certifications as
``name | YYYY-MM-DD``. A date in the
past is accepted (the register says what is true) and flagged on the page."""

from __future__ import annotations

import datetime as dt
import re

from django import forms

from strongroom.protection.people.selectors import VENDOR_QUESTIONS
from strongroom.protection.privacy.selectors import inventory

CATEGORY = re.compile(r"^(user|system|data)(\.[a-z_]+)*$")
FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
BASES = ["consent", "contract", "legal_obligation", "vital_interests", "public_task",
         "legitimate_interests"]


class VendorForm(forms.Form):
    key = forms.CharField(max_length=40, help_text="What integrations call it, e.g. stripe")
    name = forms.CharField(max_length=120)
    service = forms.CharField(max_length=200)
    purpose = forms.CharField(max_length=300)
    legal_basis = forms.ChoiceField(choices=[(b, b.replace("_", " ")) for b in BASES])
    fields = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False,
                             label="Fields shared (field = category, one per line)")
    dpa_signed_on = forms.DateField(required=False, label="DPA signed on (YYYY-MM-DD)")
    dpa_document = forms.CharField(max_length=300, required=False, label="DPA document")
    certifications = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                     label="Certifications (name | expiry YYYY-MM-DD)")
    region = forms.CharField(max_length=80)
    transfer_mechanism = forms.CharField(max_length=120, required=False)
    risk_tier = forms.ChoiceField(choices=[("low", "Low"), ("medium", "Medium"),
                                           ("high", "High")])
    next_review_on = forms.DateField(label="Next review (YYYY-MM-DD)")
    active = forms.BooleanField(required=False, initial=True)

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if not KEY.match(key):
            raise forms.ValidationError("Lowercase letters, digits and dashes.")
        return key

    def clean_fields(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for n, line in enumerate(self.cleaned_data["fields"].splitlines(), 1):
            if not line.strip():
                continue
            field, sep, category = (p.strip() for p in line.partition("="))
            if not sep or not FIELD.match(field) or not CATEGORY.match(category):
                raise forms.ValidationError(f"Line {n}: write field = category, e.g. "
                                            "to = user.contact.email")
            if not _held(category):
                raise forms.ValidationError(
                    f"Line {n}: the store holds no {category} data (see the privacy data "
                    "inventory for the categories it holds).")
            out[field] = category
        return out

    def clean_certifications(self) -> list[dict[str, str]]:
        out = []
        for n, line in enumerate(self.cleaned_data["certifications"].splitlines(), 1):
            if not line.strip():
                continue
            name, _, expires = (p.strip() for p in line.partition("|"))
            try:
                expires = dt.date.fromisoformat(expires).isoformat() if expires else ""
            except ValueError:
                raise forms.ValidationError(f"Line {n}: the expiry is YYYY-MM-DD.") from None
            if not name or len(name) > 80:
                raise forms.ValidationError(f"Line {n}: name the certification.")
            out.append({"name": name, "expires": expires})
        return out


def _held(category: str) -> bool:
    """Not personal, or a category of the inventory, or a broader one above it."""
    if not category.startswith("user"):
        return True
    return any(c == category or c.startswith(category + ".")
               for c in {r.category for r in inventory(personal_only=True)})


def vendor_initial(vendor) -> dict:
    return {"key": vendor.key, "name": vendor.name, "service": vendor.service,
            "purpose": vendor.purpose, "legal_basis": vendor.legal_basis,
            "fields": "\n".join(f"{k} = {v}" for k, v in vendor.fields.items()),
            "dpa_signed_on": vendor.dpa_signed_on, "dpa_document": vendor.dpa_document,
            "certifications": "\n".join(f"{c.get('name')} | {c.get('expires', '')}"
                                        for c in vendor.certifications),
            "region": vendor.region, "transfer_mechanism": vendor.transfer_mechanism,
            "risk_tier": vendor.risk_tier, "next_review_on": vendor.next_review_on,
            "active": vendor.active}


class AssessmentForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key, text in VENDOR_QUESTIONS.items():
            self.fields[key] = forms.BooleanField(label=text, required=False)
