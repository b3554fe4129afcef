"""Product management. Forms bound every value; catalog services do the writes, each in
one transaction, so a refused change leaves nothing half-written."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strongroom.commerce.catalog import selectors as catalog_selectors
from strongroom.commerce.catalog import services as catalog_services
from strongroom.commerce.catalog.errors import CatalogError
from strongroom.commerce.catalog.models import Product, Variant
from strongroom.protection.access.roles import Perm

from ..forms import (
    ProductCreateForm,
    ProductForm,
    ProductSearchForm,
    VariantCreateForm,
    VariantUpdateForm,
)
from ..permissions import perm_required
from .common import get_or_404

PAGE_SIZE = 25
PRODUCT_FIELDS = ("name", "description", "category", "is_active")


def _refused(form: forms.Form, exc: Exception) -> None:
    """Put a service's refusal on the form, next to the field it names when there is one."""
    if isinstance(exc, CatalogError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:  # IntegrityError: a parallel request took the SKU between our check and insert
        form.add_error("sku" if "sku" in form.fields else None, "That SKU is already used.")


@perm_required(Perm.PRODUCTS_VIEW)
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    form = ProductSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = catalog_selectors.product_list_for_staff(
        query=query, page=request.GET.get("page") or 1, per_page=PAGE_SIZE)
    return render(request, "console/products/list.html", {"form": form, "page": page},
                  status=200 if form.is_valid() else 400)


@perm_required(Perm.PRODUCTS_MANAGE)
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = ProductCreateForm(initial={"is_active": True, "stock": 0})
        return render(request, "console/products/create.html", {"form": form})
    form = ProductCreateForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                product = catalog_services.product_create(
                    **{name: data[name] for name in PRODUCT_FIELDS},
                    variants=[form.variant_spec()], actor=request.user,
                )
                if data["image"]:
                    catalog_services.product_update(product=product, image=data["image"],
                                                    actor=request.user)
        except (CatalogError, ValidationError, IntegrityError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Product {product.name} created.")
            return redirect("console:product_edit", product_id=product.pk)
    return render(request, "console/products/create.html", {"form": form}, status=400)


def _render_edit(
    request: HttpRequest, product: Product, *, status: int = 200,
    product_form: ProductForm | None = None, variant_form: VariantUpdateForm | None = None,
    new_variant_form: VariantCreateForm | None = None,
) -> HttpResponse:
    variants = []
    for variant in product.variants.all():
        if variant_form is not None and variant_form.prefix == f"v{variant.pk}":
            variants.append((variant, variant_form))
            continue
        variants.append((variant, VariantUpdateForm(prefix=f"v{variant.pk}", initial={
            "price": variant.price, "stock": variant.stock, "name": variant.name,
            "is_active": variant.is_active,
        })))
    product_form = product_form or ProductForm(
        initial={name: getattr(product, name) for name in PRODUCT_FIELDS})
    return render(request, "console/products/edit.html", {
        "product": product, "form": product_form, "variants": variants,
        "new_variant_form": new_variant_form or VariantCreateForm(prefix="new"),
    }, status=status)


@perm_required(Perm.PRODUCTS_MANAGE)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_or_404(catalog_selectors.product_get_for_staff, product_id=product_id)
    if request.method == "GET":
        return _render_edit(request, product)
    form = ProductForm(request.POST, request.FILES)
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PRODUCT_FIELDS}
        if form.cleaned_data["image"]:
            fields["image"] = form.cleaned_data["image"]
        try:
            with transaction.atomic():
                catalog_services.product_update(product=product, actor=request.user, **fields)
        except (CatalogError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, "Product saved.")
            return redirect("console:product_edit", product_id=product.pk)
    product.refresh_from_db()  # show the stored values, not the refused ones
    return _render_edit(request, product, product_form=form, status=400)


@perm_required(Perm.PRODUCTS_MANAGE)
@require_POST
def variant_update(request: HttpRequest, product_id: int, variant_id: int) -> HttpResponse:
    product = get_or_404(catalog_selectors.product_get_for_staff, product_id=product_id)
    variant: Variant = get_or_404(
        catalog_selectors.variant_get_for_product, product=product, variant_id=variant_id)
    form = VariantUpdateForm(request.POST, prefix=f"v{variant.pk}")
    if form.is_valid():
        try:
            catalog_services.variant_update(variant=variant, actor=request.user,
                                            **form.cleaned_data)
        except CatalogError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Variant {variant.sku} saved.")
            return redirect("console:product_edit", product_id=product.pk)
    return _render_edit(request, product, variant_form=form, status=400)


@perm_required(Perm.PRODUCTS_MANAGE)
@require_POST
def variant_create(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_or_404(catalog_selectors.product_get_for_staff, product_id=product_id)
    form = VariantCreateForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            with transaction.atomic():
                variant = catalog_services.variant_create(
                    product=product, position=len(product.variants.all()), actor=request.user,
                    **form.cleaned_data)
        except (CatalogError, IntegrityError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Variant {variant.sku} added.")
            return redirect("console:product_edit", product_id=product.pk)
    return _render_edit(request, product, new_variant_form=form, status=400)
