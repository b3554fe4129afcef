"""The risk register starts from the product's threat model (T1-T11)."""

import datetime as dt

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from strongroom.protection.posture.internal.seed import THREATS

    Risk = apps.get_model("posture", "Risk")
    due = timezone.now().date() + dt.timedelta(days=90)
    for threat in THREATS:
        Risk.objects.get_or_create(
            code=threat["code"],
            defaults={**{k: v for k, v in threat.items() if k != "code"},
                      "owner": "owner", "review_due": due})


class Migration(migrations.Migration):
    dependencies = [("posture", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
