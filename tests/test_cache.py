"""The totals pages are cached until the next write, and every write shows at once."""

from decimal import Decimal

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse

from ledger import services
from ledger.cache import ledger_stamp
from ledger.models import Actor, Pledge, Source

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}


@override_settings(CACHES=LOCMEM)
class TotalsCacheTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def setUp(self):
        cache.clear()

    def new_pledge(self, amount):
        return services.pledge_create(
            donor=Actor.objects.get(code="CHN"),
            recipient=Actor.objects.get(code="CUB"),
            kind=Pledge.Kind.GRANT,
            amount=amount,
            currency="USD",
            amount_qualifier="exact",
            citations=[{"source": Source.objects.get(), "excerpt": "a test excerpt", "paragraph": 2}],
            reason="test",
        )

    def test_second_overview_reads_totals_from_the_cache(self):
        self.client.get(reverse("ledger:home"))
        # the stamp, latest pledges and trade with their actors, the form's actor choices (one read): no totals query
        with self.assertNumQueries(8):
            response = self.client.get(reverse("ledger:home"))
        self.assertContains(response, "USD 195 million")

    def test_a_write_shows_on_the_overview_at_once(self):
        self.assertContains(self.client.get(reverse("ledger:home")), "USD 195 million")
        pledge = self.new_pledge(Decimal("5000000"))
        self.assertContains(self.client.get(reverse("ledger:home")), "USD 200 million")
        services.pledge_update(
            pledge=pledge, data={"amount": Decimal("10000000"), "amount_usd": Decimal("10000000")}, reason="test"
        )
        self.assertContains(self.client.get(reverse("ledger:home")), "USD 205 million")

    def test_filtered_overviews_are_cached_apart(self):
        everything = self.client.get(reverse("ledger:home"))
        china = self.client.get(reverse("ledger:home"), {"donor": "CHN"})
        self.assertContains(everything, '<p class="big">USD 195 million</p>', html=True)
        self.assertContains(china, '<p class="big">USD 180 million</p>', html=True)
        # A cached filtered overview: no totals query; the donor's code looked up, and the form's actor
        # choices read once when it is drawn: as many as unfiltered.
        with self.assertNumQueries(8):
            again = self.client.get(reverse("ledger:home"), {"donor": "CHN"})
        self.assertEqual(again.content, china.content)
        self.assertContains(self.client.get(reverse("ledger:home")), '<p class="big">USD 195 million</p>', html=True)

    def test_a_write_shows_on_the_actor_page_at_once(self):
        url = reverse("ledger:actor-detail", args=["CHN"])
        before = self.client.get(url).content.decode()
        self.new_pledge(Decimal("7000000"))
        after = self.client.get(url).content.decode()
        self.assertNotEqual(before, after)
        self.assertIn("USD 180 million", before)
        self.assertIn("USD 187 million", after)

    def test_stamp_moves_with_every_create_update_and_delete(self):
        stamps = [ledger_stamp()]
        pledge = self.new_pledge(Decimal("1000000"))
        stamps.append(ledger_stamp())
        services.pledge_update(pledge=pledge, data={"status": Pledge.Status.COMMITTED}, reason="test")
        stamps.append(ledger_stamp())
        pledge.citations.all().delete()
        pledge.delete()
        stamps.append(ledger_stamp())
        actor = Actor.objects.get(code="CUB")
        actor.name = "Republic of Cuba"
        actor.save()
        stamps.append(ledger_stamp())
        self.assertEqual(len(set(stamps)), 5, stamps)  # the first stamp and one new stamp per write
