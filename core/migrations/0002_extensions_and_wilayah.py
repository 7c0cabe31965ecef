"""PostgreSQL extensions the portal relies on, and the six kelurahan of Kertapati (docs/domain.md §1.2)."""

from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension, UnaccentExtension
from django.db import migrations

from core.wilayah import kelurahan_sync


def load_kelurahan(apps, schema_editor):
    kelurahan_sync(apps.get_model("core", "Kelurahan"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        BtreeGinExtension(),
        migrations.RunPython(load_kelurahan, migrations.RunPython.noop),
    ]
