from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "strongroom.commerce.cart"
    label = "cart"
    verbose_name = "Cart"
    default_auto_field = "django.db.models.BigAutoField"
