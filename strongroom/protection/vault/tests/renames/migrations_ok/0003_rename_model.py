from django.db import migrations

from strongroom.protection.vault.operations import ReencryptRenamedModel


class Migration(migrations.Migration):
    dependencies = [("vault_renames", "0002_rename_field")]
    operations = [
        migrations.RenameModel("Holder", "Keeper"),
        ReencryptRenamedModel("Holder", "Keeper", batch_size=2),
    ]
