from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "strongroom.protection.privacy"
    label = "privacy"
    verbose_name = "Privacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers privacy.E001/E002
