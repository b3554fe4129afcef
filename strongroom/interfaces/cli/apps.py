from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "strongroom.interfaces.cli"
    label = "cli"
    verbose_name = "Command line"
    default_auto_field = "django.db.models.BigAutoField"
