"""Vendor register pages: owner only, bad input is a 400 with a message, an expired
certification is accepted and flagged, assessments are recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.people.models import Vendor
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


def _form(**over) -> dict:
    data = {"key": "courier", "name": "Courier Co", "service": "Deliveries",
            "purpose": "Delivering parcels", "legal_basis": "contract",
            "fields": "address = user.contact.address\nreference = system.operations",
            "certifications": "ISO 27001 | 2020-01-31", "region": "EU",
            "risk_tier": "medium", "next_review_on": "2027-06-01", "active": "on"}
    data.update(over)
    return data


def test_owner_adds_a_vendor_with_an_expired_certification_flagged():
    client = console_client(staff_make(Role.OWNER))
    response = client.post(reverse("console:vendor_create"), _form())
    assert response.status_code == 302
    vendor = Vendor.objects.get(key="courier")
    assert vendor.fields == {"address": "user.contact.address", "reference": "system.operations"}
    page = client.get(reverse("console:vendor_edit", args=["courier"]))
    assert "ISO 27001 expired on 2020-01-31" in page.content.decode()
    listing = client.get(reverse("console:vendor_list")).content.decode()
    assert "Courier Co" in listing and "user.contact.address" in listing


@pytest.mark.parametrize("bad", [{"fields": "address: user.contact.address"},
                                 {"fields": "address = Contact Email"},
                                 {"certifications": "ISO | 31/01/2020"},
                                 {"key": "Bad Key!"}, {"next_review_on": "soon"},
                                 {"fields": "dob = user.demographic.date_of_birth"},
                                 {"fields": "email = user.contact.emial"}])
def test_bad_vendor_input_is_a_400(bad):
    client = console_client(staff_make(Role.OWNER))
    response = client.post(reverse("console:vendor_create"), _form(**bad))
    assert response.status_code == 400
    assert not Vendor.objects.filter(key="courier").exists()


def test_support_cannot_open_the_register_and_unknown_vendor_is_404():
    assert console_client(staff_make(Role.SUPPORT)).get(
        reverse("console:vendor_list")).status_code == 403
    owner = console_client(staff_make(Role.OWNER))
    assert owner.get(reverse("console:vendor_edit", args=["nope"])).status_code == 404


def test_assessment_from_the_page():
    client = console_client(staff_make(Role.OWNER))
    response = client.post(reverse("console:vendor_assess", args=["stripe"]),
                           {"dpa": "on", "encryption": "on", "mfa": "on", "certified": "on"})
    assert response.status_code == 302
    vendor = Vendor.objects.get(key="stripe")
    assert vendor.assessment_score == 57 and vendor.assessed_at <= timezone.now()
    assert vendor.next_review_on > timezone.localdate() - dt.timedelta(days=1)


def test_shared_categories_come_from_the_privacy_inventory():
    """The register names only data the store holds (a category of the inventory, or a
    broader one above it), so a misspelt category cannot hide what a vendor receives."""
    client = console_client(staff_make(Role.OWNER))
    response = client.post(reverse("console:vendor_create"),
                           _form(fields="email = user.contact.emial"))
    assert "holds no user.contact.emial data" in response.content.decode()
    assert client.post(reverse("console:vendor_create"), _form(
        fields="email = user.contact.email\nstreet = user.contact\nref = system.operations"
    )).status_code == 302
