"""Write the whole ledger, every table, to a folder of CSV files (the columns of /data-dictionary/)."""

from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from ledger import exports


class Command(BaseCommand):
    help = "Write every table of the ledger to FOLDER as CSV (actors.csv, sources.csv, pledges.csv, ...)."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="where to write the files; created if missing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, folder, no_progress=False, **options):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for table in exports.TABLES:
            queryset = table.model._default_manager.all()
            path = folder / f"{table.name}.csv"
            with tqdm(
                total=queryset.count(), desc=table.name, unit=" rows", disable=no_progress, file=self.stderr._out
            ) as bar:
                exports.write_csv(table, queryset, path, on_batch=bar.update)
            self.stdout.write(f"{path}")
