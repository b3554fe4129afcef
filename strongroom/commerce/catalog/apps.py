from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "strongroom.commerce.catalog"
    label = "catalog"
    verbose_name = "Catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers
