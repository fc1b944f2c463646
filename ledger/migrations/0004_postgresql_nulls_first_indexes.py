"""PostgreSQL only: indexes in the order the tables sort, unknown values lowest.

The tables order a column with its unknowns lowest on every database (ledger/tables/base.py
order_nulls_low: ASC NULLS FIRST, and DESC NULLS LAST). That is SQLite's native order, so the
(field, id) indexes serve it there. A PostgreSQL B-tree puts NULLs last by default, so it can serve
neither direction and every table page sorted the whole ledger (seconds at a million entries).
Declared NULLS FIRST, one index serves both directions: forward for ascending, backward for
descending. SQLite has no NULLS clause in CREATE INDEX and needs none, so this migration skips it."""

from django.db import migrations

INDEXES = {
    "pledge_date_nf_id": ("ledger_pledge", "date NULLS FIRST, id"),
    "pledge_amount_usd_nf_id": ("ledger_pledge", "amount_usd NULLS FIRST, id"),
    "pledge_donor_date_nf_id": ("ledger_pledge", "donor_id, date NULLS FIRST, id"),
    "pledge_recipient_date_nf_id": ("ledger_pledge", "recipient_id, date NULLS FIRST, id"),
    "trade_year_nf_id": ("ledger_tradefigure", "year NULLS FIRST, id"),
    "trade_amount_usd_nf_id": ("ledger_tradefigure", "amount_usd NULLS FIRST, id"),
    "trade_reporter_year_nf_id": ("ledger_tradefigure", "reporter_id, year NULLS FIRST, id"),
    "trade_partner_year_nf_id": ("ledger_tradefigure", "partner_id, year NULLS FIRST, id"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, columns) in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_browser_indexes")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
