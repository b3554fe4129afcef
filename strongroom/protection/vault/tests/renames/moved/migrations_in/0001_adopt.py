from django.db import migrations

from strongroom.protection.vault.operations import ReencryptRenamedModel
from strongroom.protection.vault.tests.renames.initial import holder_fields


class Migration(migrations.Migration):
    initial = True
    dependencies = [("vault_renames", "0001_initial")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    "Holder", fields=holder_fields(), options={"db_table": "vault_renames_holder"}
                )
            ]
        ),
        ReencryptRenamedModel("Holder", "Holder", old_app_label="vault_renames", batch_size=2),
    ]
