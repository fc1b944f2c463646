"""The table pages' text search (?q=) through the full-text index (ledger/search.py): what an analyst
finds, that the index follows every write (the database's triggers, whatever the write path), that
the searched words are highlighted without letting the text run as HTML, and that the page's query
reads the index instead of scanning the ledger. Run on SQLite and on PostgreSQL."""

import re
from decimal import Decimal
from unittest import skipUnless

from django.db import connection
from django.test import TestCase
from django.urls import reverse

from ledger import search
from ledger.filters.pledges import PledgeFilterSet
from ledger.models import Citation, Pledge, TradeFigure
from tests import factories


def listed(response, prefix="pledges"):
    body = response.content.decode().split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return {int(pk) for pk in re.findall(rf'href="/{prefix}/(\d+)/">', body)}


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.china = factories.actor("CHN", "China")
        cls.cuba = factories.actor("CUB", "Cuba")
        cls.vietnam = factories.actor("VNM", "Viet Nam")
        cls.rice = factories.pledge(
            cls.china,
            cls.cuba,
            kind=Pledge.Kind.IN_KIND,
            amount=None,
            commodity="rice",
            quantity=Decimal("30000"),
            unit="t",
            valuation="not_stated",
            description="Donations of rice for the eastern provinces.",
            excerpt="China will ship 30,000 tonnes of rice.",
        )
        cls.loan = factories.pledge(
            cls.vietnam, cls.cuba, description="A credit line.", excerpt="Hanoi opened a credit line for Havana."
        )

    def ids(self, q, **params):
        response = self.client.get(reverse("ledger:pledge-list"), {"q": q, **params})
        self.assertEqual(response.status_code, 200)
        return listed(response)

    def test_finds_words_in_descriptions_goods_actor_names_and_excerpts(self):
        self.assertEqual(self.ids("provinces"), {self.rice.pk})  # description
        self.assertEqual(self.ids("rice"), {self.rice.pk})  # goods (and description)
        self.assertEqual(self.ids("Viet Nam"), {self.loan.pk})  # donor's name
        self.assertEqual(self.ids("hanoi"), {self.loan.pk})  # excerpt, any case
        self.assertEqual(self.ids("cuba"), {self.rice.pk, self.loan.pk})  # recipient's name

    def test_every_word_must_match_and_words_are_stemmed(self):
        self.assertEqual(self.ids("donation"), {self.rice.pk})  # "Donations"
        self.assertEqual(self.ids("shipping tonne"), {self.rice.pk})  # "ship", "tonnes"
        self.assertEqual(self.ids("rice hanoi"), set())
        self.assertEqual(self.ids("zzqqxj"), set())

    def test_search_syntax_in_the_text_is_read_as_words(self):
        # FTS5 operators, quotes and column filters are words here, never syntax (and never an error).
        self.assertEqual(self.ids('rice NOT "hanoi'), set())
        self.assertEqual(self.ids("commodity:rice"), set())
        self.assertEqual(self.ids("rice*"), {self.rice.pk})

    def test_text_without_words_falls_back_to_the_substring_search(self):
        self.assertEqual(self.ids("30,000"), {self.rice.pk})
        self.assertEqual(self.ids("--"), set())

    def test_the_index_follows_every_write(self):
        self.rice.description = "Beans for the western provinces."
        self.rice.save()
        self.assertEqual(self.ids("beans"), {self.rice.pk})
        self.assertEqual(self.ids("eastern"), set())
        Citation.objects.filter(pledge=self.loan).update(excerpt="Hanoi will send engineers.")  # a bulk UPDATE
        self.assertEqual(self.ids("engineers"), {self.loan.pk})
        self.assertEqual(self.ids("credit havana"), set())
        self.vietnam.name = "Socialist Republic of Viet Nam"
        self.vietnam.save()
        self.assertEqual(self.ids("socialist"), {self.loan.pk})
        bulk = Pledge.objects.bulk_create(
            [Pledge(donor=self.cuba, recipient=self.china, kind=Pledge.Kind.GRANT, description="Medical brigades")]
        )[0]
        self.assertEqual(self.ids("brigade"), {bulk.pk})
        Citation.objects.filter(pledge=self.loan).delete()
        self.assertEqual(self.ids("engineers"), set())
        self.rice.citations.all().delete()
        self.rice.delete()
        self.assertEqual(self.ids("beans"), set())

    def test_search_combines_with_the_other_filters_and_the_tables_sort(self):
        self.assertEqual(self.ids("cuba", donor="VNM"), {self.loan.pk})
        response = self.client.get(reverse("ledger:pledge-list"), {"q": "cuba", "sort": "id"})
        body = response.content.decode()
        self.assertLess(body.index(f'href="/pledges/{self.rice.pk}/"'), body.index(f'href="/pledges/{self.loan.pk}/"'))

    def test_trade_figures_are_searched_through_their_index(self):
        figure = factories.trade(self.china, self.cuba, excerpt="China remains the island's second partner.")
        response = self.client.get(reverse("ledger:trade-list"), {"q": "island"})
        self.assertEqual(listed(response, "trade"), {figure.pk})
        self.assertEqual(listed(self.client.get(reverse("ledger:trade-list"), {"q": "zzqqxj"}), "trade"), set())
        figure.delete()
        self.assertFalse(TradeFigure.objects.exists())

    def test_the_words_found_are_highlighted_and_the_text_stays_escaped(self):
        self.loan.description = '<script>alert("x")</script> credit & <b>aid</b>'
        self.loan.save()
        response = self.client.get(reverse("ledger:pledge-list"), {"q": "credit"})
        html = response.content.decode()
        self.assertIn("<mark>credit</mark>", html)
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<b>aid</b>", html)
        self.assertIn("&amp;", html)  # the text is escaped (PostgreSQL's ts_headline also drops tags)

    def test_highlight_markers_always_pair_up(self):
        self.assertEqual(search.highlighted("a \x02b\x03 \x03c \x02d"), "a <mark>b</mark> c <mark>d</mark>")
        self.assertEqual(search.highlighted("<i>\x02x"), "&lt;i&gt;<mark>x</mark>")

    def test_a_search_page_gets_its_excerpts_in_one_query(self):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("ledger:pledge-list"), {"q": "cuba"})
        self.assertEqual(len(listed(response)), 2)
        excerpts = [q["sql"] for q in queries.captured_queries if "snippet(" in q["sql"] or "ts_headline(" in q["sql"]]
        self.assertEqual(len(excerpts), 1)

    def test_the_search_reads_the_index_rather_than_scanning_the_ledger(self):
        queryset = PledgeFilterSet({"q": "zzqqxj"}, queryset=Pledge.objects.all()).qs.order_by("-date", "-id")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # a tiny table is read whole; is the index there to use?
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()
        if connection.vendor == "sqlite":
            self.assertIn("VIRTUAL TABLE INDEX", plan)  # FTS5's MATCH
            self.assertNotRegex(plan, r"SCAN (ledger_pledge|T\d)\b(?! USING)")
        else:
            self.assertIn("Bitmap Index Scan on ledger_pledge_search_document", plan)

    @skipUnless(connection.vendor == "postgresql", "Spanish stemming: PostgreSQL's 'spanish' configuration")
    def test_spanish_words_are_stemmed_on_postgresql(self):
        self.rice.description = "Donaciones de arroz para las provincias orientales."
        self.rice.save()
        self.assertEqual(self.ids("donación"), {self.rice.pk})
        self.assertEqual(self.ids("provincia oriental"), {self.rice.pk})

    @skipUnless(connection.vendor == "sqlite", "accents folded by FTS5's remove_diacritics")
    def test_accents_are_folded_on_sqlite(self):
        self.rice.description = "Envío de arroz."
        self.rice.save()
        self.assertEqual(self.ids("envio"), {self.rice.pk})
