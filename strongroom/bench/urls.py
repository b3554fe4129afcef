"""The yardsticks: plain Django views doing the same kind of work as each storefront page,
uncached, through the same middleware and database (what a straightforward Django shop
would do). A page should serve at least 1/3 of its twin's requests cold, and at least as
many warm, when its listing comes from the catalog cache."""

from django import forms
from django.db.models import Prefetch
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from strongroom.commerce.cart.models import CartLine
from strongroom.commerce.catalog.models import Category, Product, Variant

# A plain shop's pages: a layout with header, category nav, search, account links and
# footer ({% url %} links, CSRF-protected forms), of about the size of the store's own.
_listing = engines["django"].get_template("bench/listing.html")
_page = engines["django"].get_template("bench/page.html")
_active = Prefetch("variants", queryset=Variant.objects.filter(is_active=True))


def _categories() -> list:
    return list(Category.objects.order_by("position", "name")[:8])


def bare(request):
    """The old yardstick (one indexed query, a tiny page), kept for the catalog API."""
    product = Product.objects.only("name").order_by("pk").first()
    return HttpResponse(f"<!doctype html><title>{product.name}</title><p>{product.name}",
                        content_type="text/html")


def bare_listing(request):
    """Home, category and search: categories, 24 products with category and variants."""
    products = list(Product.objects.filter(is_active=True).select_related("category")
                    .prefetch_related(_active).order_by("name")[:24])
    return HttpResponse(_listing.render({"title": "Products", "products": products,
                                         "categories": _categories()}, request))


def bare_product(request, slug):
    product = (Product.objects.filter(slug=slug, is_active=True).select_related("category")
               .prefetch_related(_active).first())
    return HttpResponse(_page.render({"title": product.name, "product": product,
                                      "categories": _categories()}, request))


def _lines(request) -> list:
    from strongroom.commerce.cart.selectors import cart_by_token

    cart = cart_by_token(token=request.session.get("cart_token"))
    return list(CartLine.objects.filter(cart=cart).select_related("variant__product"))


def bare_cart(request):
    return HttpResponse(_page.render({"title": "Cart", "lines": _lines(request),
                                      "categories": _categories()}, request))


class _AddressForm(forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=150)
    line1 = forms.CharField(max_length=200)
    line2 = forms.CharField(max_length=200, required=False)
    city = forms.CharField(max_length=100)
    postal_code = forms.CharField(max_length=20)
    country = forms.ChoiceField(choices=[("DE", "Germany"), ("FR", "France")])
    phone = forms.CharField(max_length=32, required=False)


def bare_checkout(request):
    return HttpResponse(_page.render({"title": "Checkout", "lines": _lines(request),
                                      "form": _AddressForm(), "categories": _categories()},
                                     request))


urlpatterns = [
    path("__bench/bare/", bare),
    path("__bench/listing/", bare_listing),
    path("__bench/product/<slug:slug>/", bare_product),
    path("__bench/cart/", bare_cart),
    path("__bench/checkout/", bare_checkout),
    path("", include("strongroom.urls")),
]
