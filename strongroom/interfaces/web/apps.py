from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "strongroom.interfaces.web"
    label = "web"
    verbose_name = "Web foundations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
