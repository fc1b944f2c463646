"""generate_ledger: the same seed gives the same ledger, and the ledger has a realistic shape."""

import hashlib
from collections import Counter
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import TestCase, tag

from ledger import summaries
from ledger.models import COUNTRY_CODES, CURRENCY_CODES, Actor, Citation, Pledge, Source, TradeFigure
from tests import factories

MODELS = (Actor, Source, Pledge, TradeFigure, Citation)


def generate(**options):
    args = dict(pledges=2000, trade=200, actors=60, sources=80, seed=3, verbosity=0)
    call_command("generate_ledger", **{**args, **options})


def digest():
    """A fingerprint of every generated row, history included (history ids are the database's own)."""
    sha = hashlib.sha256()
    for model in MODELS + tuple(m.history.model for m in MODELS):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "history_id"]
        for row in model._default_manager.order_by(
            *(["id", "history_date"] if "history_date" in fields else ["id"])
        ).values_list(*fields):
            sha.update(repr(row).encode())
    return sha.hexdigest()


@tag("slow")  # generates three ledgers of 2,000 pledges
class GenerateLedgerDeterminismTests(TestCase):
    def test_same_seed_gives_the_same_rows_and_another_seed_does_not(self):
        runs = {}
        for seed in (3, 3, 4):
            savepoint = transaction.savepoint()
            generate(seed=seed)
            runs.setdefault(seed, []).append(digest())
            transaction.savepoint_rollback(savepoint)
        self.assertEqual(runs[3][0], runs[3][1])
        self.assertNotEqual(runs[3][0], runs[4][0])


@tag("slow")  # generates a ledger of 2,000 pledges
class GenerateLedgerShapeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        generate()

    def test_generates_as_many_pledges_trade_figures_actors_and_sources_as_asked(self):
        self.assertEqual(Pledge.objects.count(), 2000)
        self.assertEqual(TradeFigure.objects.count(), 200)
        self.assertEqual(Actor.objects.count(), 60)
        self.assertEqual(Source.objects.count(), 80)

    def test_actors_are_real_iso_countries_plus_a_few_bodies(self):
        countries = Actor.objects.filter(kind=Actor.Kind.COUNTRY)
        self.assertGreater(countries.count(), 50)
        for actor in countries:
            self.assertIn(actor.code, COUNTRY_CODES)
            self.assertEqual(actor.code, actor.iso3)
        bodies = Actor.objects.filter(kind=Actor.Kind.GOVERNMENT_BODY)
        self.assertTrue(bodies.exists())
        self.assertFalse(bodies.filter(parent__isnull=True).exists())

    def test_about_a_fifth_of_the_pledges_are_in_kind_with_goods(self):
        in_kind = Pledge.objects.filter(kind=Pledge.Kind.IN_KIND)
        self.assertGreater(in_kind.count(), 2000 * 0.15)
        self.assertLess(in_kind.count(), 2000 * 0.25)
        self.assertFalse(in_kind.filter(quantity__isnull=True).exists())
        self.assertTrue(in_kind.filter(valuation="not_stated", amount__isnull=True).exists())
        self.assertTrue(in_kind.filter(valuation="reported", amount__isnull=False).exists())

    def test_currencies_are_mixed_and_converted_at_a_stated_rate(self):
        currencies = Counter(Pledge.objects.exclude(currency="").values_list("currency", flat=True))
        self.assertGreaterEqual(len(currencies), 6)
        self.assertTrue(set(currencies) <= set(CURRENCY_CODES))
        self.assertEqual(currencies.most_common(1)[0][0], "USD")
        converted = Pledge.objects.exclude(currency__in=["", "USD"])
        self.assertTrue(converted.exists())
        for pledge in converted[:200]:
            self.assertEqual(pledge.amount_usd, (pledge.amount * pledge.usd_rate).quantize(Decimal("0.01")))
            self.assertIsNotNone(pledge.usd_rate_date)
            self.assertTrue(pledge.usd_rate_source)

    def test_unknown_amounts_stay_empty_never_zero(self):
        self.assertTrue(Pledge.objects.filter(amount__isnull=True).exclude(kind=Pledge.Kind.IN_KIND).exists())
        self.assertFalse(Pledge.objects.filter(amount=0).exists())
        self.assertFalse(TradeFigure.objects.filter(amount=0).exists())

    def test_packages_hold_parts_with_the_same_donor_and_recipient(self):
        packages = Pledge.objects.filter(kind=Pledge.Kind.PACKAGE)
        self.assertTrue(packages.exists())
        for package in packages:
            parts = list(package.parts.all())
            self.assertGreaterEqual(len(parts), 2)
            for part in parts:
                self.assertEqual((part.donor_id, part.recipient_id), (package.donor_id, package.recipient_id))
        self.assertEqual(Pledge.objects.counted_in_totals().count(), 2000 - packages.count())

    def test_donors_are_skewed_like_a_real_ledger(self):
        per_donor = sorted(Counter(Pledge.objects.values_list("donor_id", flat=True)).values(), reverse=True)
        top_tenth = sum(per_donor[: len(per_donor) // 10])
        self.assertGreater(top_tenth / 2000, 0.35)

    def test_every_figure_cites_a_source_with_an_excerpt(self):
        self.assertFalse(Pledge.objects.filter(citations__isnull=True).exists())
        self.assertFalse(TradeFigure.objects.filter(citations__isnull=True).exists())
        self.assertFalse(Citation.objects.filter(excerpt="").exists())
        self.assertGreater(Citation.objects.count(), 2200)

    def test_generated_rows_pass_model_validation(self):
        for model in MODELS:
            for row in model.objects.order_by("id")[:150]:
                row.full_clean()
        for part in Pledge.objects.filter(package__isnull=False)[:50]:
            part.full_clean()

    def test_sources_say_they_are_synthetic(self):
        self.assertFalse(Source.objects.exclude(url__startswith="https://synthetic.invalid/").exists())

    def test_every_row_has_its_creation_in_the_history(self):
        history = Pledge.history.filter(history_type="+")
        self.assertEqual(history.count(), 2000)
        self.assertEqual(set(history.values_list("history_change_reason", flat=True)), {"generate_ledger --seed 3"})
        self.assertEqual(Citation.history.count(), Citation.objects.count())

    def test_the_pledge_totals_are_built_for_the_generated_ledger(self):
        stored = summaries.stored_totals()
        self.assertEqual(stored, summaries.computed_totals())
        grand = stored[("", "", "total", "")]
        self.assertEqual(grand["entries"] + grand.get("uncounted", 0), 2000)
        self.assertGreater(grand.get("uncounted", 0), 0)  # packages with parts, counted through them

    def test_new_entries_after_generation_get_fresh_ids(self):
        donor, recipient = Actor.objects.filter(kind=Actor.Kind.COUNTRY)[:2]
        highest = Pledge.objects.order_by("-pk").values_list("pk", flat=True).first()
        self.assertGreaterEqual(highest, 2000)
        pledge = factories.pledge(donor, recipient)
        self.assertGreater(pledge.pk, highest)


@tag("slow")
class GenerateLedgerSafetyTests(TestCase):
    def test_refuses_a_database_that_already_holds_a_ledger_and_writes_nothing(self):
        factories.actor("CUB")
        with self.assertRaisesMessage(CommandError, "only fills an empty ledger"):
            generate()
        self.assertEqual(Pledge.objects.count(), 0)
        self.assertEqual(Actor.objects.count(), 1)

    def test_no_history_leaves_the_history_tables_empty(self):
        generate(pledges=100, trade=10, no_history=True)
        self.assertEqual(Pledge.objects.count(), 100)
        self.assertEqual(Pledge.history.count(), 0)
        self.assertEqual(Citation.history.count(), 0)
