from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "strongroom.protection.backups"
    label = "backups"
    verbose_name = "Disaster recovery"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the backups.W00x deploy checks)
