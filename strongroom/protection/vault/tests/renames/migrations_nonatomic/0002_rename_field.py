from django.db import migrations

from strongroom.protection.vault.operations import ReencryptRenamedField


class Migration(migrations.Migration):
    # Each batch commits on its own; the re-encryption comes first so that a run
    # killed halfway resumes by running the migration again.
    atomic = False
    dependencies = [("vault_renames", "0001_initial")]
    operations = [
        ReencryptRenamedField("holder", "secret", "motto", batch_size=2),
        migrations.RenameField("holder", "secret", "motto"),
    ]
