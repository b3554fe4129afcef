from __future__ import annotations

from django.apps import AppConfig


class MailerConfig(AppConfig):
    name = "strongroom.protection.mailer"
    label = "mailer"
    verbose_name = "Outgoing email (encrypted outbox, sent by the worker)"
    default_auto_field = "django.db.models.BigAutoField"
