"""Console forms: parse and bound every value before a service sees it."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.contrib.auth import authenticate
from django.core.validators import RegexValidator
from django.http import HttpRequest

from strongroom.commerce.catalog import selectors as catalog_selectors
from strongroom.commerce.orders.models import OrderStatus

from .permissions import is_console_user

MAX_PRICE = Decimal("99999999.99")  # the largest value Variant.price can hold
MAX_STOCK = 1_000_000  # far below the database integer limit
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_SIDE = 6000  # pixels; bigger images are decompression-bomb territory
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
SKU_RULE = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    "Use letters, digits, dots, dashes and underscores (starting with a letter or digit).",
)


class LoginForm(forms.Form):
    """One failure message for every refusal: a customer's right password, a wrong
    password and an unknown email are indistinguishable (no staff-account oracle)."""

    FAILED = "That email and password do not open the staff console."

    email = forms.EmailField(max_length=254, widget=forms.EmailInput(
        attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(max_length=4096, strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, request: HttpRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        user = authenticate(self.request, username=data["email"], password=data["password"])
        if not is_console_user(user):
            raise forms.ValidationError(self.FAILED, code="invalid_login")
        self.user = user
        return data


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "All statuses"), *OrderStatus.choices], required=False
    )


class OrderTransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=OrderStatus.choices)
    note = forms.CharField(max_length=500, required=False)


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label="Find by email or phone (exact)", max_length=254,
                        required=False)


class ProductSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or SKU", max_length=100, required=False)


def _validate_image(image) -> None:
    if image.size > MAX_IMAGE_BYTES:
        raise forms.ValidationError(
            f"The image is too large: at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    picture = getattr(image, "image", None)  # set by ImageField after Pillow verified it
    fmt = getattr(picture, "format", None)
    if fmt not in IMAGE_FORMATS:
        raise forms.ValidationError("Upload a JPEG, PNG, WebP or GIF image.")
    if max(picture.size) > MAX_IMAGE_SIDE:
        raise forms.ValidationError(
            f"The image is too big: at most {MAX_IMAGE_SIDE} pixels on a side.")
    # The stored name is ours, never the uploader's (no path tricks, no name leaks).
    image.name = f"{uuid.uuid4().hex}.{IMAGE_FORMATS[fmt]}"


class ProductForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(max_length=10_000, required=False, widget=forms.Textarea(
        attrs={"rows": 5}))
    category = forms.ModelChoiceField(
        queryset=catalog_selectors.category_list(), required=False, empty_label="(none)")
    is_active = forms.BooleanField(label="Active (shown in the store)", required=False)
    image = forms.ImageField(
        required=False, widget=forms.FileInput(attrs={"accept": "image/*"}),
        help_text="JPEG, PNG, WebP or GIF, at most 2 MB.")

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image:
            _validate_image(image)
        return image


class VariantFields(forms.Form):
    price = forms.DecimalField(min_value=Decimal("0"), max_value=MAX_PRICE, max_digits=10,
                               decimal_places=2)
    stock = forms.IntegerField(min_value=0, max_value=MAX_STOCK)
    name = forms.CharField(label="Variant name", max_length=120, required=False)


class VariantUpdateForm(VariantFields):
    is_active = forms.BooleanField(label="Active", required=False)


class VariantCreateForm(VariantFields):
    sku = forms.CharField(label="SKU", max_length=64, validators=[SKU_RULE])

    field_order = ["sku", "name", "price", "stock"]

    def clean_sku(self) -> str:
        sku = self.cleaned_data["sku"]
        if catalog_selectors.variant_sku_exists(sku=sku):
            raise forms.ValidationError(f"SKU {sku} is already used.")
        return sku


class ProductCreateForm(ProductForm):
    """A new product with its first variant (a product with none cannot be sold)."""

    sku = VariantCreateForm.base_fields["sku"]
    variant_name = forms.CharField(label="Variant name", max_length=120, required=False)
    price = VariantFields.base_fields["price"]
    stock = VariantFields.base_fields["stock"]

    clean_sku = VariantCreateForm.clean_sku

    def variant_spec(self) -> dict:
        data = self.cleaned_data
        return {"sku": data["sku"], "name": data["variant_name"], "price": data["price"],
                "stock": data["stock"]}
