from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "strongroom.interfaces.storefront"
    label = "storefront"
    verbose_name = "Storefront"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the cart merge at login)
