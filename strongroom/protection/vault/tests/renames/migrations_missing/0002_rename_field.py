from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("vault_renames", "0001_initial")]
    operations = [migrations.RenameField("holder", "secret", "motto")]
