"""What every table page's FilterSet shares: the filters (an actor given by its code, a choice that
words its errors, a currency code, a cited source, free text), their widgets, and the form that
refuses a range running backwards."""

import django_filters
from django import forms
from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe

from ledger import search
from ledger.models import Actor, Citation, Source

INVALID_CHOICE = "“%(value)s” is not one of the choices. Pick one from the list."


class FastSelect(forms.Select):
    """A <select> written in Python rather than through one template per option.

    Same markup as Django's Select (tests/test_filter_widgets.py compares them); the filter forms
    list every actor and every currency, and rendering their ~600 options through Django's
    per-option contexts (a deep copy of the attributes for each) took most of a table page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        selected = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, flatatt(final_attrs))]
        found = False
        for option_value, option_label in self.choices:
            if isinstance(option_label, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">', option_value))
                for inner_value, inner_label in option_label:
                    found = self._option(parts, inner_value, inner_label, selected, found)
                parts.append("</optgroup>")
            else:
                found = self._option(parts, option_value, option_label, selected, found)
        parts.append("</select>")
        return mark_safe("".join(parts))

    def _option(self, parts: list, value, label, selected: set, found: bool) -> bool:
        """Append one <option>; as Django's Select, a single choice marks only its first match."""
        value = "" if value is None else str(value)
        is_selected = value in selected and (self.allow_multiple_selected or not found)
        parts.append(
            f'<option value="{escape(value)}"{" selected" if is_selected else ""}>{conditional_escape(label)}</option>'
        )
        return found or is_selected


class ActorChoiceField(django_filters.fields.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": "No actor has the code “%(value)s”. Use a code from the actors page, for example CHN or CUB.",
    }

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().upper()
        return super().to_python(value)

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class ActorCodeFilter(django_filters.ModelChoiceFilter):
    """An actor given by its code in the URL (?donor=CHN)."""

    field_class = ActorChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Actor.objects.only("id", "code", "name").order_by("name", "id"))
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("empty_label", "any")
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)


class StrictChoiceFilter(django_filters.ChoiceFilter):
    """A choice whose unknown values are reported in words the analyst can act on."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", "any")
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.error_messages["invalid_choice"] = INVALID_CHOICE
        return field


class HasAmountFilter(StrictChoiceFilter):
    """ "yes": entries with an amount; "no": entries whose amount the source does not state."""

    def filter(self, qs, value):
        if value in ("yes", "no"):
            return qs.filter(amount__isnull=value == "no")
        return qs


def label_range(widgets):
    widgets[0].attrs["aria-label"] = "from"
    widgets[1].attrs["aria-label"] = "to"


class NumberRangeInputs(django_filters.widgets.RangeWidget):
    """Two numbers, "from" and "to" (?year_min=…&year_max=…)."""

    template_name = "ledger/widgets/range.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "number", **(attrs or {})})
        label_range(self.widgets)


class YearRangeField(django_filters.fields.RangeField):
    """Two years, whole numbers from 1 to 9999 (a date has no year 0): ?year_min=0 is an error in words,
    not a date the database or Python cannot make."""

    def __init__(self, fields=None, *args, **kwargs):
        fields = fields or tuple(forms.IntegerField(min_value=1, max_value=9999) for _ in range(2))
        super().__init__(fields, *args, **kwargs)


class YearRangeFilter(django_filters.RangeFilter):
    """A range of years (?year_min=2020&year_max=2026), either end optional."""

    field_class = YearRangeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", NumberRangeInputs())
        super().__init__(*args, **kwargs)


class CurrencyField(django_filters.fields.ChoiceField):
    default_error_messages = {"invalid_choice": "“%(value)s” is not an ISO 4217 currency code (USD, EUR, CNY…)."}

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class CurrencyFilter(django_filters.ChoiceFilter):
    """An ISO 4217 code typed as text (?currency=EUR): a list of every currency would weigh on every
    page, and analysts know the codes."""

    field_class = CurrencyField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 3, "size": 4, "placeholder": "USD"}))
        kwargs.setdefault("help_text", "An ISO 4217 code: USD, EUR, CNY…")
        super().__init__(*args, **kwargs)


class SourceChoiceField(django_filters.fields.ModelChoiceField):
    default_error_messages = {"invalid_choice": "No source has the number “%(value)s”. Pick one on the sources page."}


class CitedSourceFilter(django_filters.ModelChoiceFilter):
    """Entries that cite a source, given by its number (?source=1): a number box rather than a
    list of every source."""

    field_class = SourceChoiceField

    def __init__(self, *args, entry_field, **kwargs):
        self.entry_field = entry_field
        kwargs.setdefault("queryset", Source.objects.only("id"))
        kwargs.setdefault("widget", forms.NumberInput(attrs={"min": 1}))
        kwargs.setdefault("label", "Cites source no.")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(Exists(Citation.objects.filter(source=value, **{self.entry_field: OuterRef("pk")})))


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    """Several choices in one box; the URL repeats the parameter (?donor=HUN&donor=ARG)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"size": 4, **(attrs or {})}, choices=choices)


class ActorCodesField(django_filters.fields.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": "No actor has the code “%(value)s”. Use a code from the actors page, for example CHN or CUB.",
    }

    def clean(self, value):
        if isinstance(value, list | tuple):
            value = [v.strip().upper() if isinstance(v, str) else v for v in value]
        return super().clean(value)

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class ActorCodesFilter(django_filters.ModelMultipleChoiceFilter):
    """One actor or several, given by code and repeated in the URL (?donor=HUN&donor=ARG): entries of
    any of them."""

    field_class = ActorCodesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Actor.objects.only("id", "code", "name").order_by("name", "id"))
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("widget", FastSelectMultiple)
        kwargs.setdefault("help_text", "Pick one or several (Ctrl or ⌘ + click).")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class StrictMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """Several choices, repeated in the URL (?status=committed&status=delivered); unknown ones
    reported in words. The choices are a column of the table itself, so no row can match twice: no
    DISTINCT (django-filter's default), which made the database compare whole rows to list a page."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastSelectMultiple)
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.error_messages["invalid_choice"] = INVALID_CHOICE
        return field


ISO_DATE_ERROR = (
    "“%(value)s” is not a date written YYYY-MM-DD, for example 2026-02-01 "
    "(a date such as 01/02/2026 could mean 1 February or 2 January)."
)
ISO_DATE_HELP = "Dates as YYYY-MM-DD."


class IsoDateField(forms.DateField):
    """A date in ISO 8601 only: 01/02/2026 is refused with a message rather than read as 2 January."""

    input_formats = ["%Y-%m-%d"]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(ISO_DATE_ERROR, code="invalid", params={"value": value}) from None


class IsoDateRangeField(django_filters.fields.RangeField):
    """Two ISO dates, cleaned to a slice of dates (either end may be None)."""

    widget = django_filters.widgets.DateRangeWidget

    def __init__(self, *args, **kwargs):
        super().__init__((IsoDateField(), IsoDateField()), *args, **kwargs)

    def compress(self, data_list):
        return slice(*data_list) if data_list else None


class IsoDateInputs(django_filters.widgets.DateRangeWidget):
    """Two text boxes, "from" and "to", in YYYY-MM-DD (?date_after=…&date_before=…). Text rather than
    the browser's date picker, which shows a locale's format and blanks a value it cannot read."""

    template_name = "ledger/widgets/range.html"

    def __init__(self, attrs=None):
        attrs = {"type": "text", "placeholder": "YYYY-MM-DD", "size": 10, "inputmode": "numeric", **(attrs or {})}
        super().__init__(attrs=attrs)
        label_range(self.widgets)


PERIOD_HELP = (
    "An entry matches when its period (a day, a month or a year, as precise as the source) overlaps "
    "the range: “end of Jan 2026” matches from 2026-01-15. " + ISO_DATE_HELP
)


def period_overlaps(start, end) -> Q:
    """Entries (with `date` the first day of their period and `date_precision` day, month or year)
    whose period overlaps [start, end]; either bound may be None."""
    condition = Q()
    if start is not None:
        condition &= (
            Q(date__gte=start)
            | Q(date_precision="month", date__gte=start.replace(day=1))
            | Q(date_precision="year", date__gte=start.replace(month=1, day=1))
        )
    if end is not None:
        condition &= Q(date__lte=end)
    return condition


class PeriodRangeFilter(django_filters.Filter):
    """?date_after=2026-01-15&date_before=2026-03-31, matching entries by their period's overlap."""

    field_class = IsoDateRangeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", IsoDateInputs())
        kwargs.setdefault("help_text", PERIOD_HELP)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value or (value.start is None and value.stop is None):
            return qs
        return qs.filter(period_overlaps(value.start, value.stop))


class IsoDateRangeFilter(django_filters.RangeFilter):
    """A plain date range in ISO dates (?published_after=2026-01-01&published_before=2026-02-28)."""

    field_class = IsoDateRangeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", IsoDateInputs())
        kwargs.setdefault("help_text", ISO_DATE_HELP)
        super().__init__(*args, **kwargs)


class SharedOptions(BaseChoiceIterator):
    """One read of a model choice field's options, shared by every box of a form that lists the same
    rows (donor and recipient; reporter, partner, either side and counterpart): one query per page
    instead of one per box. Read when first rendered, so an export, which renders no form, reads none."""

    def __init__(self, field):
        self.queryset, self.label = field.queryset, field.label_from_instance
        self.key = (type(field).label_from_instance, str(field.queryset.query))
        self.options = None

    def __iter__(self):
        if self.options is None:
            self.options = [(obj.code, self.label(obj)) for obj in self.queryset]
        return iter(self.options)


class WithEmptyChoice(BaseChoiceIterator):
    """The shared options, after the box's "any" when it has one (a BaseChoiceIterator, which Django's
    widgets keep as it is rather than reading it when it is assigned)."""

    def __init__(self, empty_label, options):
        self.empty_label, self.options = empty_label, options

    def __iter__(self):
        if self.empty_label is not None:
            yield "", self.empty_label
        yield from self.options


class FilterForm(forms.Form):
    """The form behind every filter set: the actor boxes share one read of the actors; a range whose
    start lies after its end is an error, not an empty table."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shared = {}
        for field in self.fields.values():
            if isinstance(field, ActorChoiceField | ActorCodesField) and field.to_field_name == "code":
                options = SharedOptions(field)
                options = shared.setdefault(options.key, options)
                field.widget.choices = WithEmptyChoice(getattr(field, "empty_label", None), options)

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            bounded = isinstance(value, slice) and value.start is not None and value.stop is not None
            if bounded and value.start > value.stop:
                start, stop = (_readable(v) for v in (value.start, value.stop))
                self.add_error(name, f"This range starts after it ends ({start} is after {stop}).")
        return data


def _readable(value):
    if hasattr(value, "date") and callable(value.date):
        value = value.date()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class TextSearchFilter(django_filters.CharFilter):
    """Free text over an entry's own text `fields` and, for a cited entry (`cited_as` names its field
    on Citation), over its citations' excerpts.

    When the filtered model has a full-text index (ledger/search.py INDEXES: pledges, trade figures;
    or `index` names one), the words are looked up in the full-text index
    (stemmed, every word must appear; actor names are searched too), so a word that matches nothing
    answers at once whatever the ledger's size. Without it, or for text with no word in it, the
    search is a substring scan of the fields."""

    def __init__(self, *args, fields, cited_as=None, index=None, **kwargs):
        self.search_fields = fields
        self.cited_as = cited_as
        self.index = index
        kwargs.setdefault("label", "Text")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        vendor = connections[qs.db].vendor
        index = self.index or (qs.model._meta.model_name if qs.model._meta.model_name in search.INDEXES else None)
        if index and search.words(value) and search.supported(vendor):
            return qs.filter(pk__in=search.matching_ids(index, value, vendor=vendor))
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        if self.cited_as:
            cited = Citation.objects.filter(**{self.cited_as: OuterRef("pk")}, excerpt__icontains=value)
            condition |= Exists(cited)
        return qs.filter(condition)
