from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .cache import catalog_changed
from .models import Category, Product, Variant
from .selectors import NAV_CACHE_KEY


@receiver([post_save, post_delete], sender=Category)
def category_nav_forget(**kwargs) -> None:
    cache.delete(NAV_CACHE_KEY)


@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=Product)
@receiver([post_save, post_delete], sender=Variant)
def catalog_forget(**kwargs) -> None:
    catalog_changed()
