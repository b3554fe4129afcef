from django.http import HttpResponse
from django.urls import include, path

from strongroom.commerce.catalog.models import Product


def bare(request):
    """The yardstick: a Django view through the same middleware, with one indexed query."""
    product = Product.objects.only("name").order_by("pk").first()
    return HttpResponse(f"<!doctype html><title>{product.name}</title><p>{product.name}",
                        content_type="text/html")


urlpatterns = [path("__bench/bare/", bare), path("", include("strongroom.urls"))]
