from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from strongroom.sharedcache import cache_delete

from .cache import catalog_changed
from .models import Category, Product, Variant
from .selectors import NAV_CACHE_KEY


@receiver([post_save, post_delete], sender=Category)
def category_nav_forget(**kwargs) -> None:
    cache_delete(NAV_CACHE_KEY)


@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=Product)
@receiver([post_save, post_delete], sender=Variant)
def catalog_forget(**kwargs) -> None:
    catalog_changed()
