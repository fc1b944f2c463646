"""Write the whole ledger, every table, to a folder of CSV files (the columns of /data-dictionary/), with
datapackage.json beside them and links/citations.csv, so the folder is a valid Frictionless Data Package."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from ledger import datapackage, exports


class Command(BaseCommand):
    help = (
        "Write every table of the ledger to FOLDER as CSV (actors.csv, sources.csv, pledges.csv, ...), "
        "with links/citations.csv and datapackage.json (a Frictionless Data Package)."
    )

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
        self.stdout.write(f"{datapackage.write_citations(folder)}")
        descriptor_path = folder / "datapackage.json"
        descriptor_path.write_text(json.dumps(datapackage.descriptor(), indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(f"{descriptor_path}")
