"""The full-text index behind the table pages' `q` filter: pledges and trade figures, searched over
their own text (descriptions, goods, rank statements), their actors' names and their citations'
excerpts, with English stemming (and Spanish on PostgreSQL).

- SQLite: an FTS5 table per entry table (`ledger_pledge_fts`, rowid = the entry's id), tokenizer
  `porter unicode61 remove_diacritics 2` (English stems; accents folded, so "envio" finds "envío").
- PostgreSQL: a side table per entry table (`ledger_pledge_search`: entry_id, a `tsvector` of the
  'english' and the 'spanish' configurations together) with a GIN index.

Kept current by triggers in the database (installed by migration 0008 through `install()`): on the
entry table (insert, update, delete; on PostgreSQL also TRUNCATE), on citations (their excerpts) and on
actors (a renamed actor). A trigger cannot be bypassed by any write path: the admin, the services,
imports, `generate_ledger`'s bulk inserts and raw SQL all keep the index current, in the same
transaction. On PostgreSQL the triggers are per statement, with transition tables, so a bulk insert
refreshes the index in one set-based statement. Caution: on SQLite, a migration that rebuilds an
entry table (Django's "remake table" for some ALTERs) drops that table's triggers; tests/test_search.py
checks that they exist after all migrations, and `install()` (idempotent) puts them back and rebuilds.

Search words are taken from the analyst's text as words (letters and digits); every word must match
(AND), each stemmed. Text with no word in it ("=", "--") falls back to the substring scan."""

import re
from dataclasses import dataclass

from django.db import connections
from django.db.models.expressions import RawSQL
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

START, STOP = "\x02", "\x03"  # highlight markers the database puts around a matched word
WORD = re.compile(r"\w+")
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"
PG_CONFIGS = ("english", "spanish")


@dataclass(frozen=True)
class SearchIndex:
    """One entry table's index: its text columns, its two actor keys, its key on Citation."""

    table: str
    texts: tuple[str, ...]
    actors: tuple[str, str]
    citation_key: str

    def changed(self, old: str, new: str, differ: str = "IS DISTINCT FROM") -> str:
        """SQL: the entry's indexed columns differ between two versions of its row."""
        columns = (*self.texts, *self.actors)
        return " OR ".join(f"{old}.{column} {differ} {new}.{column}" for column in columns)

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    @property
    def side(self) -> str:
        return f"{self.table}_search"

    def parts(self, alias: str = "e") -> tuple[str, str, str]:
        """SQL for the three parts of an entry's document: its text, its actors' names, its excerpts."""
        text = " || ' ' || ".join(f"coalesce({alias}.{column}, '')" for column in self.texts)
        names = " || ' ' || ".join(
            f"coalesce((SELECT a.name FROM ledger_actor a WHERE a.id = {alias}.{key}), '')" for key in self.actors
        )
        return text, names, f"coalesce(ledger_search_excerpts_{self.table}({alias}.id), '')"


INDEXES = {
    "pledge": SearchIndex("ledger_pledge", ("description", "commodity"), ("donor_id", "recipient_id"), "pledge_id"),
    "tradefigure": SearchIndex(
        "ledger_tradefigure",
        ("description", "rank_statement", "relationship"),
        ("reporter_id", "partner_id"),
        "trade_figure_id",
    ),
}


def words(value: str) -> list[str]:
    return WORD.findall(value or "")


# Installing: the index tables and their triggers, per vendor ----------------------------------------


def _sqlite_excerpts(index: SearchIndex, entry: str) -> str:
    return (
        f"coalesce((SELECT group_concat(c.excerpt, ' ') FROM ledger_citation c "
        f"WHERE c.{index.citation_key} = {entry}), '')"
    )


def _sqlite_select(index: SearchIndex, where: str) -> str:
    text, names, _ = index.parts()
    return f"SELECT e.id, {text}, {names}, {_sqlite_excerpts(index, 'e.id')} FROM {index.table} e WHERE {where}"


def _sqlite_refresh(index: SearchIndex, where: str, rowids: str) -> str:
    return (
        f"DELETE FROM {index.fts} WHERE rowid IN ({rowids}); "
        f"INSERT INTO {index.fts}(rowid, text, actors, excerpts) {_sqlite_select(index, where)};"
    )


def sqlite_statements(index: SearchIndex) -> list[str]:
    t, fts, key = index.table, index.fts, index.citation_key
    a, b = index.actors
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(text, actors, excerpts, tokenize='{SQLITE_TOKENIZER}')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {t} BEGIN "
        f"INSERT INTO {fts}(rowid, text, actors, excerpts) {_sqlite_select(index, 'e.id = NEW.id')}; END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE ON {t} WHEN {index.changed('OLD', 'NEW', 'IS NOT')} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = OLD.id; "
        f"INSERT INTO {fts}(rowid, text, actors, excerpts) {_sqlite_select(index, 'e.id = NEW.id')}; END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {t} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = OLD.id; END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_cite_insert AFTER INSERT ON ledger_citation "
        f"WHEN NEW.{key} IS NOT NULL BEGIN {_sqlite_refresh(index, f'e.id = NEW.{key}', f'NEW.{key}')} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_cite_update AFTER UPDATE ON ledger_citation "
        f"WHEN OLD.{key} IS NOT NULL OR NEW.{key} IS NOT NULL BEGIN "
        f"{_sqlite_refresh(index, f'e.id IN (OLD.{key}, NEW.{key})', f'OLD.{key}, NEW.{key}')} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_cite_delete AFTER DELETE ON ledger_citation "
        f"WHEN OLD.{key} IS NOT NULL BEGIN {_sqlite_refresh(index, f'e.id = OLD.{key}', f'OLD.{key}')} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_actor_rename AFTER UPDATE OF name ON ledger_actor "
        f"WHEN OLD.name IS NOT NEW.name BEGIN "
        f"{_sqlite_refresh(index, f'e.{a} = NEW.id OR e.{b} = NEW.id', f'SELECT id FROM {t} WHERE {a} = NEW.id OR {b} = NEW.id')} END",
    ]


def _pg_document(expression: str) -> str:
    return " || ".join(f"to_tsvector('{config}', {expression})" for config in PG_CONFIGS)


def postgresql_statements(index: SearchIndex) -> list[str]:
    t, side, key = index.table, index.side, index.citation_key
    a, b = index.actors
    text, names, excerpts = index.parts()
    refresh = f"ledger_search_refresh_{t}"
    renamed = "SELECT n.id FROM changed n JOIN old_rows o ON o.id = n.id WHERE n.name IS DISTINCT FROM o.name"
    statements = [
        f"CREATE TABLE IF NOT EXISTS {side} (entry_id bigint PRIMARY KEY, document tsvector NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {side}_document ON {side} USING gin (document)",
        f"""CREATE OR REPLACE FUNCTION ledger_search_excerpts_{t}(entry bigint) RETURNS text
            LANGUAGE sql STABLE AS $$
            SELECT string_agg(excerpt, ' ' ORDER BY id) FROM ledger_citation WHERE {key} = entry $$""",
        f"""CREATE OR REPLACE FUNCTION ledger_search_body_{t}(e {t}) RETURNS text
            LANGUAGE sql STABLE AS $$ SELECT {text} || ' ' || {names} || ' ' || {excerpts} $$""",
        f"""CREATE OR REPLACE FUNCTION {refresh}(ids bigint[]) RETURNS void LANGUAGE sql AS $$
            DELETE FROM {side} WHERE entry_id = ANY(ids);
            INSERT INTO {side}(entry_id, document)
            SELECT e.id, {_pg_document(f"ledger_search_body_{t}(e)")} FROM {t} e WHERE e.id = ANY(ids) $$""",
    ]
    # (trigger name, table, event, transition table, the ids to refresh from it)
    triggers = [
        ("insert", t, "INSERT", "NEW TABLE AS changed", "SELECT id FROM changed"),
        (
            "update",
            t,
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS changed",
            f"SELECT n.id FROM changed n JOIN old_rows o ON o.id = n.id WHERE {index.changed('o', 'n')}",
        ),
        ("cite_insert", "ledger_citation", "INSERT", "NEW TABLE AS changed", f"SELECT {key} FROM changed"),
        (
            "cite_update",
            "ledger_citation",
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS changed",
            f"SELECT {key} FROM changed UNION SELECT {key} FROM old_rows",
        ),
        ("cite_delete", "ledger_citation", "DELETE", "OLD TABLE AS changed", f"SELECT {key} FROM changed"),
        (
            "actor_rename",
            "ledger_actor",
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS changed",
            f"SELECT x.id FROM {t} x WHERE x.{a} IN ({renamed}) OR x.{b} IN ({renamed})",
        ),
    ]
    for name, table, event, transition, ids in triggers:
        function = f"ledger_search_{name}_{t}"
        statements += [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM {refresh}(ARRAY(SELECT DISTINCT i FROM ({ids}) s(i) WHERE i IS NOT NULL));
                RETURN NULL; END $$""",
            f"DROP TRIGGER IF EXISTS {function} ON {table}",
            f"CREATE TRIGGER {function} AFTER {event} ON {table} REFERENCING {transition} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    statements += [
        f"""CREATE OR REPLACE FUNCTION ledger_search_delete_{t}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN DELETE FROM {side} WHERE entry_id IN (SELECT id FROM changed); RETURN NULL; END $$""",
        f"DROP TRIGGER IF EXISTS ledger_search_delete_{t} ON {t}",
        f"CREATE TRIGGER ledger_search_delete_{t} AFTER DELETE ON {t} REFERENCING OLD TABLE AS changed "
        f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_search_delete_{t}()",
        f"""CREATE OR REPLACE FUNCTION ledger_search_truncate_{t}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN TRUNCATE {side}; RETURN NULL; END $$""",
        f"DROP TRIGGER IF EXISTS ledger_search_truncate_{t} ON {t}",
        f"CREATE TRIGGER ledger_search_truncate_{t} AFTER TRUNCATE ON {t} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_search_truncate_{t}()",
    ]
    return statements


def install(connection, *, fill: bool = True) -> None:
    """Create (or re-create) every index and its triggers, then fill the indexes from the tables."""
    with connection.cursor() as cursor:
        for index in INDEXES.values():
            if connection.vendor == "sqlite":
                for statement in sqlite_statements(index):
                    cursor.execute(statement)
                if fill:
                    cursor.execute(f"DELETE FROM {index.fts}")
                    cursor.execute(
                        f"INSERT INTO {index.fts}(rowid, text, actors, excerpts) {_sqlite_select(index, '1')}"
                    )
            elif connection.vendor == "postgresql":
                for statement in postgresql_statements(index):
                    cursor.execute(statement)
                if fill:
                    cursor.execute(f"TRUNCATE {index.side}")
                    cursor.execute(
                        f"INSERT INTO {index.side}(entry_id, document) "
                        f"SELECT e.id, {_pg_document(f'ledger_search_body_{index.table}(e)')} FROM {index.table} e"
                    )
                    cursor.execute(f"ANALYZE {index.side}")  # the planner's statistics, or it may scan


SQLITE_TRIGGERS = ("insert", "update", "delete", "cite_insert", "cite_update", "cite_delete", "actor_rename")


def sqlite_triggers_installed(connection) -> bool:
    names = [f"{index.fts}_{name}" for index in INDEXES.values() for name in SQLITE_TRIGGERS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({', '.join(['%s'] * len(names))})",
            names,
        )
        return cursor.fetchone()[0] == len(names)


def _drop_sqlite_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for index in INDEXES.values():
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {index.fts}_{name}")


def before_migrate(sender, using="default", plan=None, **kwargs) -> None:
    """SQLite: take the triggers off while migrations run. Django rebuilds a table for many ALTERs
    (create, copy, drop, rename), which drops that table's triggers and fails on a trigger that reads
    a table being rebuilt; `after_migrate` puts them back and refills the index."""
    connection = connections[using]
    if plan and connection.vendor == "sqlite" and _has_table(connection, INDEXES["pledge"].fts):
        _drop_sqlite_triggers(connection)


def after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    """SQLite: after migrations ran (or whenever a trigger is missing), install the triggers and
    refill the index from the tables, so it holds every row whatever the migrations did."""
    connection = connections[using]
    if connection.vendor != "sqlite" or not _has_table(connection, INDEXES["pledge"].fts):
        return
    if plan or not sqlite_triggers_installed(connection):
        install(connection)


def _has_table(connection, name: str) -> bool:
    return name in connection.introspection.table_names()


def connect(app_config) -> None:
    """Called from the app's ready(): keep the SQLite triggers through every migrate."""
    from django.db.models.signals import post_migrate, pre_migrate

    pre_migrate.connect(before_migrate, sender=app_config, dispatch_uid="ledger.search.before_migrate")
    post_migrate.connect(after_migrate, sender=app_config, dispatch_uid="ledger.search.after_migrate")


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for index in INDEXES.values():
            if connection.vendor == "sqlite":
                for name in SQLITE_TRIGGERS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {index.fts}_{name}")
                cursor.execute(f"DROP TABLE IF EXISTS {index.fts}")
            elif connection.vendor == "postgresql":
                t = index.table
                for name, table in (
                    ("insert", t),
                    ("update", t),
                    ("delete", t),
                    ("truncate", t),
                    ("cite_insert", "ledger_citation"),
                    ("cite_update", "ledger_citation"),
                    ("cite_delete", "ledger_citation"),
                    ("actor_rename", "ledger_actor"),
                ):
                    cursor.execute(f"DROP TRIGGER IF EXISTS ledger_search_{name}_{t} ON {table}")
                    cursor.execute(f"DROP FUNCTION IF EXISTS ledger_search_{name}_{t}()")
                cursor.execute(f"DROP FUNCTION IF EXISTS ledger_search_refresh_{t}(bigint[])")
                cursor.execute(f"DROP FUNCTION IF EXISTS ledger_search_body_{t}({t})")
                cursor.execute(f"DROP FUNCTION IF EXISTS ledger_search_excerpts_{t}(bigint)")
                cursor.execute(f"DROP TABLE IF EXISTS {index.side}")


# Searching ---------------------------------------------------------------------------------------


def supported(vendor: str) -> bool:
    return vendor in ("sqlite", "postgresql")


def _fts5_query(value: str) -> str:
    """Every word, quoted (so no word is read as FTS5 syntax: AND, NOT, NEAR, a column filter)."""
    return " ".join(f'"{word}"' for word in words(value))


def _pg_query() -> str:
    return " || ".join(f"plainto_tsquery('{config}', %s)" for config in PG_CONFIGS)


def matching_ids(index_name: str, value: str, *, vendor: str) -> RawSQL:
    """A subquery of the ids of the entries whose document holds every word of `value`."""
    index = INDEXES[index_name]
    text = " ".join(words(value))
    if vendor == "sqlite":
        return RawSQL(f"SELECT rowid FROM {index.fts} WHERE {index.fts} MATCH %s", [_fts5_query(value)])
    return RawSQL(f"SELECT entry_id FROM {index.side} WHERE document @@ ({_pg_query()})", [text] * len(PG_CONFIGS))


def highlighted(raw: str) -> SafeString:
    """The database's excerpt as HTML: every character escaped, each matched word in <mark>; the
    markers always pair up, whatever the stored text holds."""
    parts, inside = [], False
    for piece in re.split(f"([{START}{STOP}])", raw):
        if piece == START:
            if not inside:
                parts.append("<mark>")
                inside = True
        elif piece == STOP:
            if inside:
                parts.append("</mark>")
                inside = False
        else:
            parts.append(escape(piece))
    if inside:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text above went through escape())


def snippets(index_name: str, value: str, ids: list[int], *, using: str = "default") -> dict[int, SafeString]:
    """For the page's rows only: an excerpt of each entry's document around the words searched for,
    with those words highlighted, by entry id."""
    index = INDEXES[index_name]
    connection = connections[using]
    if not ids or not words(value) or not supported(connection.vendor):
        return {}
    marks = ", ".join(["%s"] * len(ids))
    if connection.vendor == "sqlite":
        sql = (
            f"SELECT rowid, snippet({index.fts}, -1, char(2), char(3), '…', 24) FROM {index.fts} "
            f"WHERE {index.fts} MATCH %s AND rowid IN ({marks})"
        )
        params = [_fts5_query(value), *ids]
    else:
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, ShortWord=2"
        sql = (
            f"SELECT e.id, ts_headline('english', ledger_search_body_{index.table}(e), ({_pg_query()}), %s) "
            f"FROM {index.table} e WHERE e.id IN ({marks})"
        )
        params = [" ".join(words(value))] * len(PG_CONFIGS) + [options, *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {entry_id: highlighted(text) for entry_id, text in cursor.fetchall() if text}


def page_snippet(table, record, index_name: str) -> SafeString | str:
    """For a table cell: the record's highlighted excerpt when the page is a search (`?q=`), as a
    small line under the cell's text; "" otherwise. The excerpts of the whole page come in one query,
    made on the first cell that asks."""
    cache = getattr(table, "_search_snippets", None)
    if cache is None:
        request = getattr(table, "request", None)
        value = request.GET.get("q", "") if request is not None else ""
        page = getattr(table, "page", None)
        ids = [getattr(row, "record", row).pk for row in page.object_list] if page is not None and words(value) else []
        cache = table._search_snippets = snippets(index_name, value, ids, using=record._state.db or "default")
    found = cache.get(record.pk)
    return format_html('<br><small class="match">{}</small>', found) if found else ""
