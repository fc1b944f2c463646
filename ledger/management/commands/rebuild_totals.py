"""`manage.py rebuild_totals`: recompute the maintained pledge totals (models.PledgeTotal) from the
live rows, in one transaction. Every write keeps them current (ledger/summaries.py); run this after
writes that bypass the model's signals (raw SQL, QuerySet.update() on pledges, a restored dump)."""

import time

from django.core.management.base import BaseCommand

from ledger import summaries


class Command(BaseCommand):
    help = "Rebuild the pledge totals the overview and the actor pages read, from the live pledges."

    def handle(self, *args, **options):
        started = time.perf_counter()
        cells = summaries.rebuild()
        self.stdout.write(f"Rebuilt the pledge totals: {cells:,} cells in {time.perf_counter() - started:.1f} s.")
