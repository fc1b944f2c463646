"""The overview, the actor page and a counted pledges table right after an editor's save, with the
totals read from the maintained summaries ("after") and counted from the live rows as before issue 13
("before": summary_reads.summary_slice patched to None, so overview_totals takes the live path), same run.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 manage.py generate_ledger --pledges 100000 --trade 5000
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 SECRET_KEY=x ALLOWED_HOSTS=testserver DEBUG=0 \
        .venv/bin/python bench/overview_after_save.py
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidledger.settings")
import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save  # noqa: E402
from django.test import Client  # noqa: E402

from ledger import services, summaries, summary_reads  # noqa: E402
from ledger.models import Actor, Pledge  # noqa: E402
from ledger.models import summaries as summary_models  # noqa: E402

ROUNDS = 5


def save():
    """An editor's correction of one amount (through the services, as the admin saves)."""
    pledge = Pledge.objects.filter(currency="USD", package__isnull=True).exclude(kind="package").order_by("id")[7]
    amount = pledge.amount + Decimal("1")
    started = time.perf_counter()
    services.pledge_update(pledge=pledge, data={"amount": amount, "amount_usd": amount}, reason="benchmark")
    return time.perf_counter() - started


def timed_get(client, url):
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - started


def main():
    try:  # the per-client budget of expensive requests would refuse a benchmark's repeated misses
        from aidledger import limits

        mock.patch.object(limits, "spend_expensive", lambda *a, **kw: None).start()
    except (ImportError, AttributeError):
        pass
    from django.conf import settings

    settings.QUERY_TIME_LIMIT = 3600  # the "before" pages can take longer than a request may
    client = Client()
    donor = Actor.objects.get(pk=Pledge.objects.values_list("donor_id", flat=True).order_by("id")[0]).code
    pages = {
        "overview": "/",
        "overview ?donor": f"/?donor={donor}",
        "actor page": f"/actors/{donor}/",
        "pledges ?donor (count)": f"/pledges/?donor={donor}",
    }
    results = {}
    for label, patched in (("before (live)", True), ("after (summaries)", False)):
        for name, url in pages.items():
            if name.startswith("pledges") and patched:
                continue
            times, saves = [], []
            for _ in range(ROUNDS):
                saves.append(save())
                cache.clear()
                if patched:
                    with mock.patch.object(summary_reads, "summary_slice", lambda filters: None):
                        times.append(timed_get(client, url))
                else:
                    times.append(timed_get(client, url))
            results[(label, name)] = (statistics.median(times), statistics.median(saves))
    # A save without keeping the totals (as before issue 13), then the rebuild that puts them right.
    for signal, uid in ((pre_save, "pre_save"), (post_save, "post_save"), (pre_delete, "pre_delete")):
        signal.disconnect(sender=Pledge, dispatch_uid=f"ledger.totals.{uid}")
    post_delete.disconnect(sender=Pledge, dispatch_uid="ledger.totals.post_delete")
    bare = statistics.median(save() for _ in range(ROUNDS))
    summary_models.connect_pledge_signals()
    started = time.perf_counter()
    cells = summaries.rebuild()
    rebuilt = time.perf_counter() - started
    print(f"{Pledge.objects.count():,} pledges; load average {Path('/proc/loadavg').read_text().split()[:3]}")
    print(
        f"a save without maintaining the totals: {bare * 1000:.0f} ms; rebuild_totals: {rebuilt:.1f} s ({cells:,} cells)"
    )
    for (label, name), (page, saved) in results.items():
        print(f"{label:18} {name:24} {page * 1000:8.0f} ms   (the save before it: {saved * 1000:.0f} ms)")


main()
