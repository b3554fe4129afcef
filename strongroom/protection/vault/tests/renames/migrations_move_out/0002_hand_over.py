from django.db import migrations


class Migration(migrations.Migration):
    """The model moved to vault_renames_moved: forget it here, keep its table."""

    dependencies = [("vault_renames", "0001_initial"), ("vault_renames_moved", "0001_adopt")]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("Holder")])
    ]
