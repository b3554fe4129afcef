from __future__ import annotations

from dataclasses import asdict

from django import forms

from strongroom.commerce.customers.addressing import COUNTRIES
from strongroom.commerce.customers.services import AddressDetails
from strongroom.commerce.orders.services import CheckoutDetails
from strongroom.commerce.orders.shipping import SHIPPING_METHODS
from strongroom.errors import ApplicationError

from .base import PlainLabelsMixin


def country_choices() -> list[tuple[str, str]]:
    return [("", "Choose a country"), *sorted(COUNTRIES.items(), key=lambda kv: kv[1])]


class AddressFieldsForm(PlainLabelsMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    line1 = forms.CharField(label="Address", max_length=200,
                            widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    line2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "address-line2"}))
    city = forms.CharField(label="City", max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    postal_code = forms.CharField(label="Postal code", max_length=20,
                                  widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    country = forms.ChoiceField(label="Country", choices=country_choices,
                                widget=forms.Select(attrs={"autocomplete": "country"}))
    phone = forms.CharField(label="Phone (optional)", max_length=32, required=False,
                            help_text="Only used if the courier needs to reach you.",
                            widget=forms.TextInput(attrs={"autocomplete": "tel",
                                                          "type": "tel"}))

    def address_details(self) -> AddressDetails:
        data = self.cleaned_data
        return AddressDetails(**{k: data.get(k, "") for k in (
            "full_name", "line1", "line2", "city", "postal_code", "country", "phone")})

    def domain_clean(self, make) -> None:
        """Run the service's own validation so the form and the service never disagree."""
        if self.errors:
            return
        try:
            cleaned = make().cleaned()
        except ApplicationError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        else:
            self.cleaned_data.update(asdict(cleaned))


class ContactAddressForm(AddressFieldsForm):
    """Checkout step 1. Field order: contact first, then the shipping address."""

    email = forms.EmailField(label="Email", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    field_order = ["email", "full_name", "line1", "line2", "city", "postal_code", "country",
                   "phone"]

    def checkout_details(self) -> CheckoutDetails:
        data = self.cleaned_data
        return CheckoutDetails(**{name: data.get(name, "") for name in self.field_order})

    def clean(self) -> dict:
        data = super().clean()
        self.domain_clean(self.checkout_details)
        return data


def shipping_choices() -> list[tuple[str, str]]:
    return [(m.code, m.name) for m in SHIPPING_METHODS.values()]


class ShippingForm(PlainLabelsMixin, forms.Form):
    shipping_method = forms.ChoiceField(label="Shipping method", choices=shipping_choices,
                                        widget=forms.RadioSelect)


class AddressForm(AddressFieldsForm):
    make_default = forms.BooleanField(label="Use as my default address", required=False)

    def clean(self) -> dict:
        data = super().clean()
        self.domain_clean(self.address_details)
        return data
