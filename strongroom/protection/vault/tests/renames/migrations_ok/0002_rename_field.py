from django.db import migrations

from strongroom.protection.vault.operations import ReencryptRenamedField


class Migration(migrations.Migration):
    dependencies = [("vault_renames", "0001_initial")]
    operations = [
        migrations.RenameField("holder", "secret", "motto"),
        ReencryptRenamedField("holder", "secret", "motto", batch_size=2),
        migrations.RenameField("holder", "plain", "plain_text"),  # not encrypted: no op needed
    ]
