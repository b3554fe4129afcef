"""Sign-in alerts (accounts.SecurityAlert) move to the one alert list: each row is copied
as a ``signin.<kind>`` alert with its time and acknowledgement. The old table is no longer
written; it is kept until a later release drops it, so this migration can run backwards."""

from django.db import migrations

SEVERITY = {"credential_stuffing": "high", "password_spraying": "high",
            "staff_locked": "medium"}


def forwards(apps, schema_editor):
    SecurityAlert = apps.get_model("accounts", "SecurityAlert")
    Alert = apps.get_model("alerts", "Alert")
    moved = [
        Alert(kind=f"signin.{old.kind}"[:60], source="accounts",
              severity=SEVERITY.get(old.kind, "medium"), summary=old.detail[:300],
              detail={"moved_from": "accounts.securityalert", "id": old.pk},
              dedupe_key=f"moved:accounts.securityalert:{old.pk}", count=1,
              first_seen=old.created_at, last_seen=old.created_at,
              acknowledged_at=old.acknowledged_at)
        for old in SecurityAlert.objects.order_by("pk").iterator()
    ]
    Alert.objects.bulk_create(moved, batch_size=500)


def backwards(apps, schema_editor):
    apps.get_model("alerts", "Alert").objects.filter(
        dedupe_key__startswith="moved:accounts.securityalert:").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("alerts", "0001_initial"),
        ("accounts", "0002_security"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
