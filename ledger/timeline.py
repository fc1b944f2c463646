"""The timeline: pledges, deliveries, trade figures, statements and engagements in one date order, each at
the precision its source gives (a month-known entry sits at its month, never at a made-up day), with the
undated ones apart. Read by the timeline page, its downloads, and the actor and country-pair pages.

The filters are those of the page's URL: ?country=CUB&country=VNM (entries that involve every one of the
countries: with two, the pair's timeline), ?kind=engagement&kind=pledge, ?date_after=…&date_before=…
(entries whose period overlaps the range; undated ones are then left out)."""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from ledger import formatting
from ledger.filters.base import ActorCodesField, FastSelectMultiple, IsoDateInputs, IsoDateRangeField, period_overlaps
from ledger.models import Actor, DatePrecision, Delivery, Engagement, Pledge, Statement, TradeFigure

# How many dated (and how many undated) entries a page lists; the downloads hold every one.
TIMELINE_LIMIT = 500
SECTION_LIMIT = 10  # on an actor's page

KIND_CHOICES = [
    ("engagement", "Engagement"),
    ("statement", "Statement"),
    ("pledge", "Pledge"),
    ("delivery", "Delivery"),
    ("trade", "Trade figure"),
]
KIND_LABELS = dict(KIND_CHOICES)
KIND_ORDER = {kind: index for index, (kind, _label) in enumerate(KIND_CHOICES)}  # for entries of the same date
PRECISION_LABELS = {"day": "day known", "month": "month known", "year": "year known", "": "undated"}
PRECISION_ORDER = {"year": 0, "month": 1, "day": 2}
# Where in its period a qualified entry sorts: "end of Jan" after 20 Jan, "mid-2025" after April 2025.
QUALIFIER_OFFSET = {"month": {"": 0, "early": 0, "mid": 10, "end": 20}, "year": {"": 0, "early": 0, "mid": 4, "end": 8}}

COUNTRY_HELP = "One country: everything that involves it. Two or more: only what involves all of them (a pair)."


class TimelineForm(forms.Form):
    country = ActorCodesField(
        queryset=Actor.objects.only("id", "code", "name").filter(kind=Actor.Kind.COUNTRY).order_by("name", "id"),
        to_field_name="code",
        required=False,
        widget=FastSelectMultiple,
        label="Countries",
        help_text=COUNTRY_HELP,
    )
    kind = forms.MultipleChoiceField(
        choices=KIND_CHOICES, required=False, widget=FastSelectMultiple, label="Kind of entry"
    )
    date = IsoDateRangeField(
        required=False,
        widget=IsoDateInputs(),
        label="Period (from, to)",
        help_text="An entry matches when its period overlaps the range; undated entries are then left out.",
    )

    def clean(self):
        data = super().clean()
        period = data.get("date")
        if period and period.start and period.stop and period.start > period.stop:
            self.add_error("date", f"This range starts after it ends ({period.start} is after {period.stop}).")
        return data


@dataclass(frozen=True)
class TimelineFilter:
    countries: tuple[Actor, ...] = ()
    kinds: tuple[str, ...] = ()
    start: datetime.date | None = None
    end: datetime.date | None = None

    @classmethod
    def from_form(cls, form: TimelineForm) -> TimelineFilter:
        data = form.cleaned_data
        period = data.get("date")
        return cls(
            countries=tuple(data.get("country") or ()),
            kinds=tuple(data.get("kind") or ()),
            start=period.start if period else None,
            end=period.stop if period else None,
        )

    @property
    def dated_only(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass(frozen=True)
class TimelineEntry:
    """One row of the timeline: what it is, when (as precisely as known), between whom, and where to read it."""

    kind: str
    pk: int
    date: datetime.date | None
    precision: str
    qualifier: str
    year_inferred: bool
    when: str
    parties: str
    summary: str
    url: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def precision_label(self) -> str:
        return PRECISION_LABELS[self.precision if self.date else ""]

    @property
    def sort_key(self) -> tuple:
        if self.date is None:
            return (datetime.date.max, 0, KIND_ORDER[self.kind], self.pk)
        offset = QUALIFIER_OFFSET.get(self.precision, {}).get(self.qualifier, 0)
        if self.precision == DatePrecision.YEAR:
            position = self.date.replace(month=1 + offset)
        else:
            position = self.date + datetime.timedelta(days=offset)
        return (position, PRECISION_ORDER.get(self.precision, 0), KIND_ORDER[self.kind], self.pk)


@dataclass
class Timeline:
    dated: list[TimelineEntry]
    undated: list[TimelineEntry]
    more_dated: bool
    more_undated: bool


# --- Which entries involve a country ------------------------------------------------------------


def country_actor_ids(countries: Iterable[Actor]) -> list[set[int]]:
    """For each country, the ids of the country and every body that belongs to it (at any depth). One query."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Actor.objects.order_by().values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    groups = []
    for country in countries:
        ids, todo = set(), [country.pk]
        while todo:
            pk = todo.pop()
            if pk not in ids:
                ids.add(pk)
                todo.extend(children.get(pk, ()))
        groups.append(ids)
    return groups


def _involves(fields: tuple[str, ...], ids: set[int]) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__in": ids})
    return condition


# Each kind: the fields that name its countries, the query of its rows, and how a row reads.
PARTY_FIELDS = {
    "pledge": ("donor", "recipient"),
    "delivery": ("pledge__donor", "pledge__recipient"),
    "trade": ("reporter", "partner"),
    "statement": ("speaker", "subject"),
    "engagement": ("side_a", "side_b", "place_country"),
}


MODELS = {
    "pledge": Pledge,
    "delivery": Delivery,
    "trade": TradeFigure,
    "statement": Statement,
    "engagement": Engagement,
}
RELATED = {  # what a row reads (_entry) besides its own fields
    "pledge": ("donor", "recipient"),
    "delivery": ("pledge__donor", "pledge__recipient"),
    "trade": ("reporter", "partner"),
    "statement": ("speaker", "subject", "person"),
    "engagement": ("side_a", "side_b", "place_country"),
}


def _querysets() -> dict[str, QuerySet]:
    return {kind: model.objects.select_related(*RELATED[kind]) for kind, model in MODELS.items()}


def _date_field(kind: str) -> str:
    return "year" if kind == "trade" else "date"


def _period_condition(kind: str, start: datetime.date | None, end: datetime.date | None) -> Q:
    if kind == "trade":
        condition = Q(year__isnull=False)
        if start is not None:
            condition &= Q(year__gte=start.year)
        if end is not None:
            condition &= Q(year__lte=end.year)
        return condition
    return Q(date__isnull=False) & period_overlaps(start, end)


def _entry(kind: str, row) -> TimelineEntry:
    if kind == "trade":
        date = datetime.date(row.year, 1, 1) if row.year else None
        precision, qualifier, when = "year", "", row.period_display
        parties = f"{row.reporter.name} – {row.partner.name}"
        summary = f"{row.get_flow_display()}: {row.value_display}"
        if row.rank_statement:
            summary += f" ({row.rank_statement})"
    else:
        date, precision, qualifier = row.date, row.date_precision, row.date_qualifier
        when = formatting.format_date(row.date, row.date_precision, row.date_qualifier, row.year_inferred)
    if kind == "pledge":
        parties, summary = f"{row.donor.name} → {row.recipient.name}", f"{row.get_kind_display()}: {row.value_display}"
    elif kind == "delivery":
        parties = f"{row.pledge.donor.name} → {row.pledge.recipient.name}"
        what = [
            formatting.format_money(row.amount, row.currency, row.amount_qualifier) if row.amount is not None else "",
            formatting.format_goods(row.quantity, row.unit, row.commodity) if row.quantity is not None else "",
        ]
        summary = f"Delivered: {' and '.join(w for w in what if w)}, against pledge #{row.pledge_id}"
    elif kind == "statement":
        parties = f"{row.speaker.name} on {row.subject.name}"
        summary = f"{row.get_kind_display()}: {row.summary}"
    elif kind == "engagement":
        parties = f"{row.side_a.name} – {row.side_b.name}"
        calls = (Engagement.Kind.PHONE_CALL, Engagement.Kind.VIDEO_CALL)
        place = f" {'from' if row.kind in calls else 'in'} {row.place_display}" if row.place_country_id else ""
        summary = f"{row.get_kind_display()}{place}: {row.description}" if row.description else row.get_kind_display()
    return TimelineEntry(
        kind=kind,
        pk=row.pk,
        date=date,
        precision=precision if date else "",
        qualifier=qualifier if date else "",
        year_inferred=bool(row.year_inferred) if date else False,
        when=when,
        parties=parties,
        summary=summary,
        url=_url(kind, row),
    )


def _url(kind: str, row) -> str:
    if kind == "delivery":
        return row.pledge.get_absolute_url()
    if kind == "statement":  # statements have no page of their own: the engagement, or the speaker's page
        if row.engagement_id:
            return reverse("ledger:engagement-detail", args=[row.engagement_id])
        return row.speaker.get_absolute_url()
    return row.get_absolute_url()


def _filtered(kind: str, queryset: QuerySet, groups: list[set[int]]) -> QuerySet:
    for ids in groups:  # every country must be involved
        queryset = queryset.filter(_involves(PARTY_FIELDS[kind], ids))
    return queryset


# A limited list is read as the union of one small index-ordered read per party field and actor (see
# first_rows); past this many such reads (a country with very many bodies) the plain query is used.
MAX_BRANCHES = 240


def first_rows(queryset: QuerySet, *, fields: Sequence[str], ids: Iterable[int], n: int) -> QuerySet:
    """The first `n` rows of the ordered `queryset` (ties broken by the id) in which any of `fields` (foreign
    keys) names one of `ids`: the same rows, in the same order, as
    `queryset.filter(Q(field_1__in=ids) | Q(field_2__in=ids) | …)[:n]`, with the queryset's select_related
    and prefetch_related (not its annotations).

    That plain query asks for "donor IN (…) OR recipient IN (…)" in date order, which no index serves: the
    database reads every entry of the actor and sorts them (over a second at a million pledges for a
    busy donor). The first `n` of a union are among the union of each part's first `n`, so each field and
    actor is read alone, `n` rows along its (field, date, id) index, and only those few candidates are
    sorted. Still one query."""
    ids = sorted(ids)
    if not ids:
        return queryset.none()
    if len(fields) * len(ids) > MAX_BRANCHES:
        return queryset.filter(_involves(tuple(fields), set(ids)))[:n]
    model = queryset.model
    order = queryset.query.order_by or model._meta.ordering
    # Each part is wrapped as "id IN (its first n ids)": SQLite takes neither ORDER BY nor LIMIT in a
    # compound SELECT's parts, but does in a subquery.
    parts = [
        model._base_manager.filter(
            pk__in=queryset.prefetch_related(None).filter(**{f"{field}_id": pk}).values("pk")[:n]
        )
        .order_by()
        .values("pk")
        for field in fields
        for pk in ids
    ]
    candidates = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    rows = model._default_manager.filter(pk__in=candidates)
    rows.query.select_related = queryset.query.select_related  # the rows as the caller reads them
    return rows.prefetch_related(*queryset._prefetch_related_lookups).order_by(*order)[:n]


def _first_rows(kind: str, queryset: QuerySet, groups: list[set[int]], n: int) -> QuerySet:
    """The first `n` rows of `queryset` (ordered, ties broken by the id) that involve every group's
    country: the same rows, in the same order, as `_filtered(kind, queryset, groups)[:n]`, read by
    first_rows for the smallest group's country and bodies (one query)."""
    if not groups:
        return queryset[:n]
    if kind == "delivery":
        return _first_deliveries(queryset, groups, n)
    index = min(range(len(groups)), key=lambda i: len(groups[i]))
    narrowed = _filtered(kind, queryset, groups[:index] + groups[index + 1 :])
    return first_rows(narrowed, fields=PARTY_FIELDS[kind], ids=groups[index], n=n)


def _first_deliveries(queryset: QuerySet, groups: list[set[int]], n: int) -> QuerySet:
    """A delivery's parties are its pledge's, so no index of the deliveries orders them by party: read
    the deliveries in date order, each with its pledge by the primary key (EXISTS), rather than every
    pledge of the country to look up its deliveries (which a join may choose: 0.7 s for a busy donor
    at a million pledges, with no delivery at all). The cost follows the deliveries, far fewer than the
    pledges. Same rows and order as `_filtered("delivery", queryset, groups)[:n]`."""
    involved = Pledge.objects.filter(pk=OuterRef("pledge_id"))
    for ids in groups:
        involved = involved.filter(_involves(("donor", "recipient"), ids))
    return queryset.filter(Exists(involved.values("pk")))[:n]


def _unfiltered_querysets(
    flt: TimelineFilter, *, newest: bool, undated: bool
) -> Iterator[tuple[str, QuerySet, QuerySet | None]]:
    """Each selected kind's (dated, undated) rows in date order, before the country filter."""
    for kind, queryset in _querysets().items():
        if flt.kinds and kind not in flt.kinds:
            continue
        field = _date_field(kind)
        order = (f"-{field}", "-id") if newest else (field, "id")
        dated = queryset.filter(_period_condition(kind, flt.start, flt.end)).order_by(*order)
        without_date = queryset.filter(**{f"{field}__isnull": True}).order_by("id")
        yield kind, dated, None if flt.dated_only or not undated else without_date


def timeline_querysets(
    flt: TimelineFilter, *, newest: bool = False, undated: bool = True
) -> dict[str, tuple[QuerySet, QuerySet | None]]:
    """Each selected kind's (dated, undated) rows in date order (`newest`: latest first); undated is
    None when a period is set or `undated` is False."""
    groups = country_actor_ids(flt.countries) if flt.countries else []
    return {
        kind: (_filtered(kind, dated, groups), None if without_date is None else _filtered(kind, without_date, groups))
        for kind, dated, without_date in _unfiltered_querysets(flt, newest=newest, undated=undated)
    }


def _entries(kind: str, rows: Iterable) -> Iterator[TimelineEntry]:
    return (_entry(kind, row) for row in rows)


def timeline(
    flt: TimelineFilter, *, limit: int | None = TIMELINE_LIMIT, newest: bool = False, undated: bool = True
) -> Timeline:
    """The entries the filter selects: dated ones in date order, then the undated, each list cut at `limit`
    (None: every entry, for a download). With `newest`, the latest `limit` dated entries (still listed
    oldest first). One query per kind and list, whatever the ledger's size."""
    if limit is None:
        selected = timeline_querysets(flt, newest=newest, undated=undated).items()
    else:
        groups = country_actor_ids(flt.countries) if flt.countries else []
        selected = [
            (
                kind,
                (
                    _first_rows(kind, dated, groups, limit + 1),
                    None if without_date is None else _first_rows(kind, without_date, groups, limit + 1),
                ),
            )
            for kind, dated, without_date in _unfiltered_querysets(flt, newest=newest, undated=undated)
        ]
    dated_lists, undated_lists = [], []
    for kind, (dated_rows, undated_rows) in selected:
        dated_lists.append(sorted(_entries(kind, dated_rows), key=lambda e: e.sort_key, reverse=newest))
        if undated_rows is not None:
            undated_lists.append(list(_entries(kind, undated_rows)))
    dated_all = list(heapq.merge(*dated_lists, key=lambda e: e.sort_key, reverse=newest))
    undated_all = sorted((e for group in undated_lists for e in group), key=lambda e: e.sort_key)
    more_dated = limit is not None and len(dated_all) > limit
    more_undated = limit is not None and len(undated_all) > limit
    if limit is not None:
        dated_all, undated_all = dated_all[:limit], undated_all[:limit]
    if newest:
        dated_all.reverse()
    return Timeline(dated_all, undated_all, more_dated, more_undated)


def timeline_too_large(flt: TimelineFilter, cap: int) -> bool:
    """Whether a download of the filter's entries would hold more than `cap` (each kind counted up to
    one past what is left; also True when a count runs out of its time limit)."""
    from ledger.selectors_counts import counted_up_to  # selectors_counts reads the selectors, which read this

    left = cap
    for dated, without_date in timeline_querysets(flt).values():
        for rows in (dated, without_date):
            if rows is None:
                continue
            counted = counted_up_to(rows, left)
            if counted is None or counted > left:
                return True
            left -= counted
    return False


def timeline_rows(flt: TimelineFilter) -> list[TimelineEntry]:
    """Every entry the filter selects, dated first in date order, then the undated: the download's rows."""
    result = timeline(flt, limit=None)
    return result.dated + result.undated


def actor_timeline(*, actor: Actor, limit: int = SECTION_LIMIT) -> Timeline:
    """The latest dated entries that involve an actor's country, oldest of them first: an actor page's
    section (one query for the actors, one per kind of entry)."""
    return timeline(TimelineFilter(countries=(actor.country or actor,)), limit=limit, newest=True, undated=False)
