"""The downloads of the engagements page and the timeline: declarative column specs like columns.py's.
These tables are download-only (not in TABLES, the import's list): an engagement's participants are rows of
their own (`participants`), which a flat import cannot bring back together yet."""

from ledger.exports.codec import BOOLEAN, CHOICE, DATE, ID, INTEGER, TEXT, ExportColumn, ExportTable
from ledger.exports.columns import _choices, _citation_columns, _date_columns, _updated_at
from ledger.models import Engagement, Participant


def _read_only(columns):
    return tuple(ExportColumn(c.name, c.type, c.description, path=c.path, choices=c.choices) for c in columns)


def _actor(role, path, label):
    return (
        ExportColumn(role, TEXT, f"The {label}'s name.", path=f"{path}__name"),
        ExportColumn(f"{role}_code", TEXT, f"The {label}'s code (see the actors table).", path=f"{path}__code"),
    )


ENGAGEMENTS = ExportTable(
    name="engagements",
    title="Engagements",
    model=Engagement,
    description="One row per diplomatic engagement between two countries: a visit, a meeting, a phone or video "
    "call, or a delegation. Who took part is in the `participants` download of the same page. Download only.",
    citation_field="engagement",
    columns=_read_only(
        (
            ExportColumn("id", ID, "The engagement's id.", path="id"),
            ExportColumn(
                "kind", CHOICE, "What sort of engagement.", path="kind", choices=_choices(Engagement.Kind.choices)
            ),
            *_actor("side_a", "side_a", "visiting, calling or sending country (side A)"),
            *_actor("side_b", "side_b", "country visited, called or met (side B)"),
            ExportColumn(
                "place_country_code", TEXT, "Where it took place; empty for a call.", path="place_country__code"
            ),
            ExportColumn("place_city", TEXT, "The city, only where the source states it.", path="place_city"),
            *_date_columns(),
            ExportColumn(
                "date_note",
                TEXT,
                "How the date was read when the source gives it only relative to itself.",
                path="date_note",
            ),
            ExportColumn("discussed", TEXT, "What the source says was discussed.", path="discussed"),
            ExportColumn("description", TEXT, "Free text.", path="description"),
            *_citation_columns(),
            _updated_at(),
        )
    ),
)

PARTICIPANTS = ExportTable(
    name="participants",
    title="Participants",
    model=Participant,
    description="One row per person taking part in an engagement, with the side, role and body they acted for "
    "at the time (roles change; the people table has the latest). Download only.",
    columns=_read_only(
        (
            ExportColumn("id", ID, "The participation's id.", path="id"),
            ExportColumn(
                "engagement", INTEGER, "The engagement's id (see the engagements table).", path="engagement_id"
            ),
            ExportColumn("person", INTEGER, "The person's id (see the people table).", path="person_id"),
            ExportColumn("person_name", TEXT, "The person's name.", path="person__name"),
            ExportColumn(
                "side", CHOICE, "a or b: the engagement's side they took part for.", path="side", choices=("a", "b")
            ),
            ExportColumn(
                "part",
                CHOICE,
                "principal, or member of a delegation.",
                path="part",
                choices=_choices(Participant.Part.choices),
            ),
            ExportColumn("role", TEXT, "Their role at the time, as the source gives it.", path="role"),
            ExportColumn("acting_for_code", TEXT, "The country or body they acted for.", path="acting_for__code"),
            _updated_at(),
        )
    ),
)

# The timeline mixes entries of five tables; its download is written by ledger/views/timeline.py in
# these columns (model None: no query of its own).
TIMELINE = ExportTable(
    name="timeline",
    title="Timeline",
    model=None,
    description="The timeline page's entries: dated ones in date order (at the precision the source gives), then "
    "the undated ones. Each row names the entry's table and id. Download only.",
    columns=(
        ExportColumn(
            "entry",
            CHOICE,
            "Which table the entry is in.",
            choices=("engagement", "statement", "pledge", "delivery", "trade"),
        ),
        ExportColumn("id", ID, "The entry's id in that table."),
        ExportColumn("date", DATE, "First day of the entry's period; empty when undated."),
        ExportColumn(
            "date_precision", CHOICE, "day, month or year; empty when undated.", choices=("", "day", "month", "year")
        ),
        ExportColumn(
            "date_qualifier", CHOICE, "early, mid or end; empty otherwise.", choices=("", "early", "mid", "end")
        ),
        ExportColumn("year_inferred", BOOLEAN, "True when the source does not state the year."),
        ExportColumn("when", TEXT, "The date as the page words it ('early Feb 2026 (year inferred)')."),
        ExportColumn("parties", TEXT, "Between whom."),
        ExportColumn("summary", TEXT, "What the entry says."),
        ExportColumn("url", TEXT, "The entry's page on this site (a path)."),
    ),
)

DOWNLOAD_ONLY_TABLES = (ENGAGEMENTS, PARTICIPANTS, TIMELINE)
