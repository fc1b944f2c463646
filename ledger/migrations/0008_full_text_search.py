"""The full-text index of pledges and trade figures (ledger/search.py): on SQLite an FTS5 table per
entry table, on PostgreSQL a tsvector side table with a GIN index; triggers keep both current on every
write. Filled from the existing rows here on PostgreSQL; on SQLite the triggers are installed and
the index filled after every migrate that applied something (ledger/search.py after_migrate). Other databases: nothing (the `q` filter scans instead)."""

from django.db import migrations


def install(apps, schema_editor):
    from ledger import search

    if schema_editor.connection.vendor == "sqlite":
        # Only the FTS5 tables here: the triggers go in after the whole migrate (ledger/search.py
        # after_migrate), as a later migration that rebuilds a table would trip over them.
        with schema_editor.connection.cursor() as cursor:
            for index in search.INDEXES.values():
                cursor.execute(search.sqlite_statements(index)[0])
    else:
        search.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from ledger import search

    search.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_engagements")]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
