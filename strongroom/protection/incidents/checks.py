"""Incident-response system checks. Stable IDs:
  incidents.E001  the data directory's secret-key fallbacks file cannot be used (readable
                  by other users, or a malformed line): the store refuses to start with it,
                  and running processes keep the keys they have (config.secretwatch)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks

from strongroom.config import ConfigError
from strongroom.config.secretkey import fallbacks_file_read


@checks.register(checks.Tags.security)
def check_secret_key_fallbacks(app_configs: Any = None, **kwargs: Any) -> list:
    try:
        fallbacks_file_read(Path(settings.STRONGROOM_DATA_DIR))
    except (ConfigError, OSError) as exc:
        return [checks.Error(str(exc), id="incidents.E001")]
    return []
