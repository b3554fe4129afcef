from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from strongroom.commerce.catalog.models import Product, Variant
from strongroom.interfaces.console import forms as console_forms
from strongroom.testing.factories import category_make, product_make

from . import roles_fixtures

pytestmark = pytest.mark.django_db
# an admin whose session has passed MFA, in place of conftest's role-less staff
staff, staff_client = roles_fixtures.staff, roles_fixtures.staff_client
CREATE = reverse("console:product_create")


def _image(name: str = "photo.png", fmt: str = "PNG", size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def _new(**overrides) -> dict:
    data = {"name": "Wool socks", "description": "Warm.", "category": "", "is_active": "on",
            "sku": "SOCK-1", "variant_name": "", "price": "9.50", "stock": "12"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _edit_url(product) -> str:
    return reverse("console:product_edit", args=[product.pk])


def _edit(product, **overrides) -> dict:
    data = {"name": product.name, "description": product.description, "category": "",
            "is_active": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- create -------------------------------------------------------------------------------
def test_create_product_with_variant_and_image(staff_client):
    category = category_make()
    response = staff_client.post(CREATE, _new(category=category.pk, image=_image("../../x.png")))
    product = Product.objects.get(name="Wool socks")
    assert response.status_code == 302 and response["Location"] == _edit_url(product)
    assert product.category == category and product.is_active
    variant = product.variants.get()
    assert (variant.sku, variant.price, variant.stock) == ("SOCK-1", Decimal("9.50"), 12)
    assert product.image.name.startswith("products/") and product.image.name.endswith(".png")
    assert ".." not in product.image.name and "x.png" not in product.image.name
    assert "SOCK-1" in staff_client.get(_edit_url(product)).content.decode()


@pytest.mark.parametrize("overrides,field", [
    ({"price": "-1"}, "price"),
    ({"stock": "-3"}, "stock"),
    ({"price": "123456789012345"}, "price"),
    ({"price": "1e400"}, "price"),
    ({"price": "NaN"}, "price"),
    ({"price": "1.234"}, "price"),
    ({"stock": "99999999999999999999"}, "stock"),
    ({"stock": "2.5"}, "stock"),
    ({"name": ""}, "name"),
    ({"name": "n" * 201}, "name"),
    ({"sku": ""}, "sku"),
    ({"sku": "has space"}, "sku"),
    ({"sku": "s" * 65}, "sku"),
    ({"sku": "A\x00B"}, "sku"),
    ({"name": "bad\x00name"}, "name"),
    ({"category": "999999"}, "category"),
    ({"category": "abc"}, "category"),
])
def test_create_rejects_bad_values_and_writes_nothing(staff_client, overrides, field):
    response = staff_client.post(CREATE, _new(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Product.objects.exists() and not Variant.objects.exists()


def test_create_rejects_duplicate_sku(staff_client):
    existing = product_make().variants.get()
    response = staff_client.post(CREATE, _new(sku=existing.sku))
    assert response.status_code == 400
    assert "already used" in str(response.context["form"].errors["sku"])
    assert Product.objects.count() == 1


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png"),
    SimpleUploadedFile("page.html", b"<html></html>", content_type="text/html"),
    SimpleUploadedFile("empty.png", b"", content_type="image/png"),
])
def test_create_rejects_non_images(staff_client, upload):
    response = staff_client.post(CREATE, _new(image=upload))
    assert response.status_code == 400
    assert "image" in response.context["form"].errors
    assert not Product.objects.exists()


def test_create_rejects_image_with_wrong_extension(staff_client):
    response = staff_client.post(CREATE, _new(image=_image("photo.html")))
    assert response.status_code == 400 and not Product.objects.exists()


def test_create_rejects_unsupported_image_format(staff_client):
    response = staff_client.post(CREATE, _new(image=_image("photo.bmp", fmt="BMP")))
    assert response.status_code == 400 and not Product.objects.exists()


def test_create_rejects_oversized_image(staff_client, monkeypatch):
    monkeypatch.setattr(console_forms, "MAX_IMAGE_BYTES", 50)
    response = staff_client.post(CREATE, _new(image=_image(size=(64, 64))))
    assert response.status_code == 400
    assert "too large" in str(response.context["form"].errors["image"])
    assert not Product.objects.exists()


def test_create_rejects_huge_dimensions(staff_client, monkeypatch):
    monkeypatch.setattr(console_forms, "MAX_IMAGE_SIDE", 16)
    response = staff_client.post(CREATE, _new(image=_image(size=(32, 8))))
    assert response.status_code == 400 and not Product.objects.exists()


def test_create_requires_csrf(staff):
    from strongroom.testing.staff import mfa_stamp

    from .conftest import https_client

    client = https_client(enforce_csrf_checks=True)
    client.force_login(staff)
    mfa_stamp(client)
    assert client.post(CREATE, _new()).status_code == 403
    assert not Product.objects.exists()


# --- edit ---------------------------------------------------------------------------------
def test_edit_product_fields_and_image(staff_client):
    product = product_make(name="Old name")
    category = category_make()
    response = staff_client.post(_edit_url(product), _edit(
        product, name="New name", category=category.pk, is_active=None, image=_image()))
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "New name" and product.category == category
    assert not product.is_active and product.image.name.endswith(".png")


def test_edit_without_image_keeps_the_old_one(staff_client):
    product = product_make()
    staff_client.post(_edit_url(product), _edit(product, image=_image()))
    product.refresh_from_db()
    before = product.image.name
    staff_client.post(_edit_url(product), _edit(product, name="Renamed"))
    product.refresh_from_db()
    assert product.image.name == before and product.name == "Renamed"


@pytest.mark.parametrize("overrides", [
    {"name": ""}, {"name": "n" * 201}, {"category": "999999"},
    {"image": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
])
def test_edit_bad_values_change_nothing(staff_client, overrides):
    product = product_make(name="Keep me")
    response = staff_client.post(_edit_url(product),
                                 _edit(product, **{"name": "Changed", **overrides}))
    assert response.status_code == 400
    product.refresh_from_db()
    assert product.name == "Keep me" and not product.image


def test_edit_ignores_fields_that_are_not_on_the_form(staff_client):
    product = product_make()
    slug = product.slug
    staff_client.post(_edit_url(product), _edit(product, slug="hijacked", id="999"))
    product.refresh_from_db()
    assert product.slug == slug


def test_edit_page_shows_product_and_variants(staff_client):
    product = product_make(variants=2)
    html = staff_client.get(_edit_url(product)).content.decode()
    for variant in product.variants.all():
        assert variant.sku in html
    assert 'enctype="multipart/form-data"' in html


# --- variants -------------------------------------------------------------------------------
def _variant_url(product, variant) -> str:
    return reverse("console:variant_update", args=[product.pk, variant.pk])


def test_update_variant_price_stock_active(staff_client):
    product = product_make()
    variant = product.variants.get()
    prefix = f"v{variant.pk}-"
    response = staff_client.post(_variant_url(product, variant), {
        prefix + "price": "19.99", prefix + "stock": "0", prefix + "name": "Large"})
    assert response.status_code == 302
    variant.refresh_from_db()
    assert (variant.price, variant.stock, variant.name, variant.is_active) == (
        Decimal("19.99"), 0, "Large", False)


@pytest.mark.parametrize("field,value", [
    ("price", "-0.01"), ("price", "100000000"), ("price", "abc"), ("stock", "-1"),
    ("stock", "2147483648"), ("stock", ""), ("name", "n" * 121),
])
def test_update_variant_bad_values_change_nothing(staff_client, field, value):
    product = product_make(price="10.00", stock=10)
    variant = product.variants.get()
    prefix = f"v{variant.pk}-"
    data = {prefix + "price": "11.00", prefix + "stock": "5", prefix + "is_active": "on"}
    data[prefix + field] = value
    response = staff_client.post(_variant_url(product, variant), data)
    assert response.status_code == 400
    assert field in response.context["variants"][0][1].errors
    variant.refresh_from_db()
    assert (variant.price, variant.stock) == (Decimal("10.00"), 10)


def test_variant_of_another_product_is_404(staff_client):
    mine, other = product_make(), product_make()
    foreign = other.variants.get()
    prefix = f"v{foreign.pk}-"
    response = staff_client.post(_variant_url(mine, foreign), {
        prefix + "price": "0.01", prefix + "stock": "0"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.price == Decimal("10.00")


def test_add_variant(staff_client):
    product = product_make()
    response = staff_client.post(reverse("console:variant_create", args=[product.pk]), {
        "new-sku": "NEW-1", "new-name": "XL", "new-price": "3.00", "new-stock": "4"})
    assert response.status_code == 302
    variant = product.variants.get(sku="NEW-1")
    assert (variant.name, variant.price, variant.stock) == ("XL", Decimal("3.00"), 4)


@pytest.mark.parametrize("data", [
    {"new-sku": "DUP", "new-price": "1", "new-stock": "1"},
    {"new-sku": "OK-1", "new-price": "-1", "new-stock": "1"},
    {"new-sku": "OK-1", "new-price": "1", "new-stock": "-1"},
    {"new-sku": "OK-1", "new-price": "1e12", "new-stock": "1"},
    {"new-sku": "", "new-price": "1", "new-stock": "1"},
])
def test_add_variant_bad_values_write_nothing(staff_client, data):
    product = product_make()
    product_make().variants.update(sku="DUP")
    count = Variant.objects.count()
    response = staff_client.post(reverse("console:variant_create", args=[product.pk]), data)
    assert response.status_code == 400
    assert Variant.objects.count() == count


@pytest.mark.parametrize("name", ["console:variant_create", "console:variant_update"])
def test_variant_actions_are_post_only(staff_client, name):
    product = product_make()
    args = [product.pk] if name.endswith("create") else [product.pk, product.variants.get().pk]
    assert staff_client.get(reverse(name, args=args)).status_code == 405


# --- list and unknown ids ---------------------------------------------------------------------
def test_product_list_searches_name_and_sku_and_includes_hidden(staff_client):
    visible = product_make(name="Blue mug")
    hidden = product_make(name="Hidden thing")
    Product.objects.filter(pk=hidden.pk).update(is_active=False)
    sku = visible.variants.get().sku
    url = reverse("console:product_list")
    assert "Blue mug" in staff_client.get(url + "?q=mug").content.decode()
    assert "Hidden thing" not in staff_client.get(url + "?q=mug").content.decode()
    assert "Blue mug" in staff_client.get(url + f"?q={sku}").content.decode()
    assert "Hidden thing" in staff_client.get(url).content.decode()
    assert staff_client.get(url + "?q=" + "q" * 500).status_code == 400
    assert staff_client.get(url + "?q=%00").status_code == 400  # PostgreSQL rejects NUL


def test_product_list_paginates(staff_client):
    for _ in range(26):
        product_make()
    assert "Page 1 of 2" in staff_client.get(reverse("console:product_list")).content.decode()


@pytest.mark.parametrize("path", [
    "/console/products/999999/", "/console/products/99999999999999999999999/",
    "/console/products/abc/", "/console/products/999999/variants/",
])
def test_unknown_product_is_404(staff_client, path):
    assert staff_client.get(path).status_code in (404, 405)
    assert staff_client.post(path, {"name": "x"}).status_code == 404


def test_unknown_variant_is_404(staff_client):
    product = product_make()
    for vid in (999999, 99999999999999999999999):
        assert staff_client.post(f"/console/products/{product.pk}/variants/{vid}/",
                                 {}).status_code == 404
