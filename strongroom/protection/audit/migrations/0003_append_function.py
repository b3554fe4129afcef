"""PostgreSQL: the ``audit_append`` function, one call per audited event (see chain.py)."""

from __future__ import annotations

from django.db import migrations


def forwards(apps, schema_editor):
    from strongroom.protection.audit.internal import chain

    chain.append_function_create(schema_editor.connection)


def backwards(apps, schema_editor):
    from strongroom.protection.audit.internal import chain

    chain.append_function_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_and_heads")]

    operations = [migrations.RunPython(forwards, backwards)]
