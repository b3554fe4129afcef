"""Typed request and response bodies. Money is a decimal string ("12.50"), never a float.
Request bodies forbid unknown fields, so a typo or a smuggled field is an error rather
than silently ignored (mass assignment)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, field_validator
from pydantic import Field as Bounds

from strongroom.commerce.cart.errors import MAX_LINE_QUANTITY
from strongroom.commerce.customers.addressing import COUNTRIES
from strongroom.commerce.orders.shipping import SHIPPING_METHODS

MAX_ID = 2**63 - 1  # BigAutoField; larger numbers would overflow the database driver
Money = Annotated[str, Field(description="Decimal amount as a string, e.g. \"12.50\"",
                             examples=["12.50"])]


def json_integer(value: object) -> object:
    """A JSON Schema ``integer`` is any number with a zero fraction, so ``50.0`` is one
    (and schemathesis sends it). Refuse what is not a number (``"2"``, ``true``) and any
    fraction, as pydantic's strict mode did, but accept ``50.0`` as 50."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be an integer")
        return int(value)
    return value


# The bounds before the validator (which then wraps the bounded int): the other way round
# the document says "ge"/"le" instead of "minimum"/"maximum".
VariantId = Annotated[int, Bounds(ge=1, le=MAX_ID), BeforeValidator(json_integer)]
Quantity = Annotated[int, Bounds(ge=1, le=MAX_LINE_QUANTITY), BeforeValidator(json_integer)]
# Said in the OpenAPI document (so clients and schemathesis know NUL is refused with a
# 422); checked by ``no_nul`` below, which gives the clearer message.
NO_NUL_PATTERN = "^[^\\u0000]*$"


def no_nul(value: object) -> object:
    """PostgreSQL text cannot hold NUL: refuse it at the edge, not as a database error."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _document_no_nul(schema: dict) -> None:
    for prop in schema.get("properties", {}).values():
        for variant in [prop, *prop.get("anyOf", [])]:
            if variant.get("type") == "string" and "pattern" not in variant:
                variant["pattern"] = NO_NUL_PATTERN


class TextSchema(Schema):
    model_config = ConfigDict(json_schema_extra=_document_no_nul)

    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value: object) -> object:
        return no_nul(value)


class InputSchema(TextSchema):
    # python-re: the patterns below use \s as str.strip() does (the checkout trims).
    model_config = ConfigDict(extra="forbid", json_schema_extra=_document_no_nul,
                              regex_engine="python-re")


# --- catalog --------------------------------------------------------------------------------
class CategoryOut(Schema):
    slug: str
    name: str
    description: str


class CategoryRef(Schema):
    slug: str
    name: str


class VariantOut(Schema):
    id: int
    sku: str
    name: str
    price: Money
    currency: str
    in_stock: bool


class ProductSummary(Schema):
    slug: str
    name: str
    category: CategoryRef | None
    min_price: Money | None
    currency: str
    in_stock: bool
    image_url: str | None


class ProductDetail(ProductSummary):
    description: str
    variants: list[VariantOut]


class PageMeta(Schema):
    page: int
    pages: int
    page_size: int
    total: int


class ProductPage(PageMeta):
    items: list[ProductSummary]


# --- auth -------------------------------------------------------------------------------------
class TokenIn(InputSchema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    name: str = Field("", max_length=100, description="A label for the token, e.g. the app")
    code: str = Field("", max_length=32, description=(
        "The second factor, required when the account has one: the 6-digit code from the "
        "authenticator app, or a recovery code. An account whose only second factor is a "
        "passkey is refused (403 `passkey_only`): passkeys work in the browser."))


class TokenOut(Schema):
    token: str = Field(description="Shown once. Send as `Authorization: Bearer <token>`.")
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_at: datetime | None


# --- cart -------------------------------------------------------------------------------------
class CartTokenOut(Schema):
    cart_token: str = Field(description="Shown once. Send as the `X-Cart-Token` header.")


class CartLineIn(InputSchema):
    variant_id: VariantId
    quantity: Quantity = 1


class QuantityIn(InputSchema):
    quantity: Quantity


class CartItemOut(Schema):
    variant_id: int
    sku: str
    product_name: str
    product_slug: str
    variant_name: str
    unit_price: Money
    quantity: int
    line_total: Money
    available: bool


class CartOut(Schema):
    currency: str
    items: list[CartItemOut]
    count: int
    subtotal: Money
    problems: list[str]


# --- checkout and orders ----------------------------------------------------------------------
# The document states exactly what the checkout accepts (and the schema enforces it), so
# a request valid by the document is never refused later by the order service with a 400:
# text without surrounding spaces, an email in plain dot-atom form (IDN domains in their
# xn-- form), a phone of the digits and signs the shop accepts, countries shipped to.
TEXT = r"^[^\s\u0000]([^\u0000]*[^\s\u0000])?$"
OPTIONAL_TEXT = r"^([^\s\u0000]([^\u0000]*[^\s\u0000])?)?$"
_ATOM = r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+"
EMAIL = (rf"^{_ATOM}(\.{_ATOM})*@([A-Za-z0-9]([A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+"
         r"[A-Za-z]{2,63}$")
PHONE = r"^(\+?[0-9()./-][0-9 ()./-]{4,30}[0-9()./-])?$"
Country = Literal[tuple(COUNTRIES)]  # type: ignore[valid-type]
ShippingCode = Literal[tuple(SHIPPING_METHODS)]  # type: ignore[valid-type]


class CheckoutIn(InputSchema):
    email: str = Field(max_length=254, pattern=EMAIL)
    full_name: str = Field(max_length=150, pattern=TEXT)
    line1: str = Field(max_length=200, pattern=TEXT)
    line2: str = Field("", max_length=200, pattern=OPTIONAL_TEXT)
    city: str = Field(max_length=100, pattern=TEXT)
    postal_code: str = Field(max_length=20, pattern=TEXT)
    country: Country = Field(description="ISO 3166-1 alpha-2 code of a country the store "
                             "ships to, e.g. DE")
    phone: str = Field("", max_length=32, pattern=PHONE)
    shipping_method: ShippingCode = Field(description="A code from "
                                          "GET /api/checkout/shipping-methods")


class ShippingMethodOut(Schema):
    code: str
    name: str
    price: Money
    days: str
    free_from: Money | None


class TotalsOut(Schema):
    currency: str
    subtotal: Money
    shipping: Money
    total: Money


class OrderLineOut(Schema):
    product_name: str
    sku: str
    unit_price: Money
    quantity: int
    line_total: Money


class AddressOut(Schema):
    full_name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    phone: str


class OrderSummaryOut(Schema):
    reference: str
    status: str
    status_label: str
    created_at: datetime
    totals: TotalsOut
    item_count: int


class OrderOut(OrderSummaryOut):
    email: str
    shipping_method: str
    shipping_address: AddressOut
    lines: list[OrderLineOut]


class PaymentOut(Schema):
    redirect_url: str | None = Field(description="Send the shopper here to pay; null "
                                     "while no payment provider is configured.")


class CheckoutOut(OrderOut):
    payment: PaymentOut


class OrderPage(PageMeta):
    items: list[OrderSummaryOut]
