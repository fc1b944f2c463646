"""Print the data dictionary as Markdown: `manage.py data_dictionary > docs/data-dictionary.md`."""

from django.core.management.base import BaseCommand

from ledger.data_dictionary import markdown


class Command(BaseCommand):
    help = "Print the data dictionary (the exported columns of every table) as Markdown."

    def handle(self, *args, **options):
        self.stdout.write(markdown(), ending="")
