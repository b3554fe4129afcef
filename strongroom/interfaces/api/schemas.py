"""Typed request and response bodies. Money is a decimal string ("12.50"), never a float.
Request bodies forbid unknown fields, so a typo or a smuggled field is an error rather
than silently ignored (mass assignment)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt, field_validator

from strongroom.commerce.cart.errors import MAX_LINE_QUANTITY

MAX_ID = 2**63 - 1  # BigAutoField; larger numbers would overflow the database driver
Money = Annotated[str, Field(description="Decimal amount as a string, e.g. \"12.50\"",
                             examples=["12.50"])]
VariantId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_LINE_QUANTITY)]


def no_nul(value: object) -> object:
    """PostgreSQL text cannot hold NUL: refuse it at the edge, not as a database error."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class TextSchema(Schema):
    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value: object) -> object:
        return no_nul(value)


class InputSchema(TextSchema):
    model_config = ConfigDict(extra="forbid")


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
class CheckoutIn(InputSchema):
    email: str = Field(max_length=254)
    full_name: str = Field(max_length=150)
    line1: str = Field(max_length=200)
    line2: str = Field("", max_length=200)
    city: str = Field(max_length=100)
    postal_code: str = Field(max_length=20)
    country: str = Field(max_length=2, description="ISO 3166-1 alpha-2 code, e.g. DE")
    phone: str = Field("", max_length=32)
    shipping_method: str = Field(max_length=32, description="A code from "
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
