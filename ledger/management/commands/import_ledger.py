"""Import CSV files in the exported columns: all or nothing, through the same services as the admin."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ledger import imports
from ledger.imports import limits

PREVIEW_LIMIT = 50


class Command(BaseCommand):
    help = (
        "Import FILE (a CSV in the columns of /data-dictionary/) or a folder of them as export_ledger writes it. "
        "Every bad row is reported with its line number; one bad row and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a CSV file, or a folder of CSV files")
        parser.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
        parser.add_argument(
            "--user", help="username recorded in the history as the importer (required unless --dry-run)"
        )
        parser.add_argument(
            "--reason",
            default="",
            help=f"reason recorded in the history, at most {limits.REASON_MAX_LENGTH} characters "
            "(default: 'import of <file name>')",
        )

    def handle(self, *args, file, dry_run=False, user=None, reason="", **options):
        if too_long := limits.reason_problem(reason):
            raise CommandError(f"{too_long} Yours has {len(reason)}.")
        if not user and not dry_run:
            raise CommandError("Name the importer with --user USERNAME: the history records who wrote every change.")
        try:
            importer = get_user_model().objects.get(username=user) if user else None
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named '{user}'.") from None
        result = imports.import_paths(file, user=importer, reason=reason, dry_run=dry_run)
        verbose = options["verbosity"] > 1
        refused = bool(result.problems)
        for report in result.reports:
            self.stdout.write(report.summary)
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
            if refused and not dry_run:
                continue  # nothing happened; the rows that passed are not worth listing
            shown = [change for change in report.changes if change.action != "unchanged" or verbose]
            for change in shown[: None if verbose else PREVIEW_LIMIT]:
                self.stdout.write(f"  {change}")
            if len(shown) > PREVIEW_LIMIT and not verbose:
                self.stdout.write(f"  … and {len(shown) - PREVIEW_LIMIT} more (-v 2 lists them all)")
        problems = result.problems
        if problems:
            raise CommandError(
                f"Refused: {len(problems)} problem{'s' if len(problems) != 1 else ''} in the file; nothing was written."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))
