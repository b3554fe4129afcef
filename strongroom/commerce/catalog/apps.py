from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "strongroom.commerce.catalog"
    label = "catalog"
    verbose_name = "Catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, once the models are loaded: importing it connects the receivers.
        from . import signals  # noqa: F401
