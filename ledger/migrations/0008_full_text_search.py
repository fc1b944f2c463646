"""The full-text index of pledges and trade figures (ledger/search.py): on SQLite an FTS5 table per
entry table, on PostgreSQL a tsvector side table with a GIN index; triggers keep both current on every
write. Filled from the existing rows here. Other databases: nothing (the `q` filter scans instead)."""

from django.db import migrations


def install(apps, schema_editor):
    from ledger import search

    search.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from ledger import search

    search.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_engagements")]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
