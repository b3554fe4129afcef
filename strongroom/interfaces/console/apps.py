from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "strongroom.interfaces.console"
    label = "console"
    verbose_name = "Staff console"
    default_auto_field = "django.db.models.BigAutoField"
