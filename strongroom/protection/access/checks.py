"""Access system checks. Stable IDs:
  access.E001  a role has no row in ROLE_TABLE (it would silently get nothing)
"""

from __future__ import annotations

from typing import Any

from django.core import checks

from strongroom.protection.access.roles import ROLE_TABLE, Role


@checks.register()
def check_role_table(app_configs: Any = None, **kwargs: Any) -> list:
    return [checks.Error(f"role {role.value} has no row in access.roles.ROLE_TABLE",
                         id="access.E001") for role in Role if role not in ROLE_TABLE]

