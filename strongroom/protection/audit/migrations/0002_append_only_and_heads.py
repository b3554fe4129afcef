"""Append-only triggers (per vendor) and the chain heads, each at its genesis."""

from __future__ import annotations

from django.db import migrations


def forwards(apps, schema_editor):
    from strongroom.protection.audit.internal import chain, triggers

    triggers.triggers_create(schema_editor.connection)
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.bulk_create(
        [head(chain=c, seq=0, digest=chain.genesis(c)) for c in range(chain.CHAINS)]
        + [head(chain=-1, seq=0, digest="")],  # the checkpoint lock row
        ignore_conflicts=True,
    )


def backwards(apps, schema_editor):
    from strongroom.protection.audit.internal import triggers

    triggers.triggers_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
