"""privacy.E001: every field of every model is in the data inventory (declared with
``strongroom.inventory.declare`` in each app's privacy.py; read back by inventory.py).
privacy.E002: a declaration names something unknown, or a privacy setting is bad."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from strongroom.config import ConfigError

from .conf import privacy_settings_parse
from .inventory import inventory_invalid, inventory_missing


@register("privacy")
def inventory_complete(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    missing = inventory_missing()
    return [Error(
        f"{label}.{name} is not in the data inventory",
        hint=f"classify it with declare({label!r}, ...) in that app's privacy.py "
             "(category, purpose, legal basis, retention, copies); see "
             "strongroom/inventory.py (`strongroom privacy inventory --missing` prints a "
             "skeleton)",
        id="privacy.E001") for label, name in missing]


@register("privacy")
def inventory_valid(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = [Error(line, id="privacy.E002") for line in inventory_invalid()]
    config = getattr(settings, "CONFIG", None)
    try:
        privacy_settings_parse(dict(getattr(config, "extra", {}) or {}))
    except ConfigError as exc:
        errors.append(Error(str(exc), id="privacy.E002"))
    return errors
