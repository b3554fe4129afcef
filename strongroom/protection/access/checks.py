"""Access system checks. Stable IDs:
  access.E001  a role has no row in ROLE_TABLE (it would silently get nothing)
  access.W001  reveal rate limits are counted per process (no shared cache such as Redis)
               while the store is not in debug mode: each process allows the full limit
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from strongroom.protection.access.roles import ROLE_TABLE, Role


@checks.register()
def check_role_table(app_configs: Any = None, **kwargs: Any) -> list:
    return [checks.Error(f"role {role.value} has no row in access.roles.ROLE_TABLE",
                         id="access.E001") for role in Role if role not in ROLE_TABLE]


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if "locmem" in backend.lower() and not settings.DEBUG:
        return [checks.Warning(
            "reveal rate limits are counted per process: with several app processes each "
            "allows the full limit", hint="set STRONGROOM_REDIS_URL to share them",
            id="access.W001")]
    return []
