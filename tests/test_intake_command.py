"""`propose_entries`: the command's contract (JSON shape, matches on the seed ledger), that it writes
nothing, and a clear message for each kind of bad input."""

import io
import json
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import TestCase

from ledger.intake import article
from ledger.models import Actor, Citation, Person, Pledge, Source, Statement, TradeFigure

GOLD = Path(settings.BASE_DIR) / "tests" / "intake_gold"
SEED_TEXT = Path(settings.BASE_DIR) / "fixtures" / "sources" / "cibercuba-2026-02-05.txt"
MODELS = (Actor, Person, Source, Pledge, TradeFigure, Statement, Citation)


def propose(path, *args):
    out = io.StringIO()
    call_command("propose_entries", str(path), *args, stdout=out)
    return out.getvalue()


class ProposeOnTheSeedLedgerTests(TestCase):
    fixtures = ["cibercuba-2026-02-05"]

    def counts(self):
        return [m.objects.count() for m in MODELS] + [m.history.count() for m in MODELS if hasattr(m, "history")]

    def test_a_later_article_repeating_the_15_million_and_giving_the_trade_year_is_matched_not_duplicated(self):
        before = self.counts()
        printed = json.loads(
            propose(GOLD / "dev" / "d1-vietnam-rice-trade-year.txt", "--published", "2026-02-20", "--format", "json")
        )
        self.assertEqual(self.counts(), before)  # nothing written, no history either
        by_entry = {(p["entry"], p["evidence"]["paragraph"]): p for p in printed["proposals"]}
        grant, trade = by_entry[("pledge", 3)], by_entry[("trade", 4)]
        self.assertEqual(grant["existing"]["id"], 5)
        self.assertEqual(grant["existing"]["relation"], "refines")
        self.assertEqual((grant["amount"], grant["currency"], grant["date"]), ("15000000", "USD", "2025-09-01"))
        self.assertEqual((trade["existing"]["id"], trade["existing"]["relation"], trade["year"]), (1, "refines", 2024))
        self.assertIsNone(by_entry[("pledge", 2)]["existing"])  # the new rice pledge is new

    def test_the_seed_article_on_its_own_ledger_is_all_repeats(self):
        printed = json.loads(propose(SEED_TEXT, "--published", "2026-02-05", "--format", "json"))
        relations = {
            (p["existing"]["entry"], p["existing"]["id"], p["existing"]["relation"]) for p in printed["proposals"]
        }
        expected = {("pledge", i, "same") for i in range(1, 6)} | {("trade", i, "same") for i in range(1, 4)}
        self.assertEqual(relations, expected | {("statement", i, "same") for i in range(1, 4)})

    def test_json_contract(self):
        printed = json.loads(
            propose(GOLD / "heldout" / "h1-japan-yen-grant.txt", "--published", "2026-03-12", "--format", "json")
        )
        self.assertEqual(set(printed), {"source", "proposals"})
        self.assertEqual(printed["source"]["language"], "en")
        text = printed["source"]["text"]
        pledge = printed["proposals"][0]
        self.assertEqual(pledge["entry"], "pledge")
        self.assertEqual(pledge["donor"], {"code": "JPN", "name": "Japan", "new": True})
        self.assertEqual(pledge["recipient"], {"code": "CUB", "name": "Cuba", "new": False})
        for key in ("kind", "status", "amount", "currency", "amount_qualifier", "quantity", "unit", "commodity", "date",
                    "date_precision", "date_qualifier", "year_inferred", "evidence", "existing", "flags", "confidence"):  # fmt: skip
            self.assertIn(key, pledge)
        self.assertEqual(
            pledge["conversion"], {"amount": "3000000", "currency": "USD", "amount_qualifier": "approximately"}
        )
        for proposal in printed["proposals"]:
            evidence = proposal["evidence"]
            self.assertEqual(text[evidence["start"] : evidence["end"]], evidence["text"])

    def test_text_format_lists_each_proposal_with_its_sentence(self):
        out = propose(SEED_TEXT, "--published", "2026-02-05")
        self.assertIn("12 proposals, nothing written", out)
        self.assertIn("Furthermore, the Vietnamese government donated 15 million dollars to Cuba in September.", out)

    def test_an_html_page_is_read_through_trafilatura(self):
        html = (
            "<html><head><title>Japan to give Cuba emergency food aid</title>"
            '<meta name="author" content="Wire staff"></head><body><nav>Home | World</nav><article>'
            "<h1>Japan to give Cuba emergency food aid</h1>"
            "<p>TOKYO, March 12 (Wire) — The Japanese government announced on Tuesday a grant of 450 million yen, "
            "about 3 million dollars, to help Cuba buy food amid the island's worsening economic crisis.</p>"
            "<p>Japan also said it would ship 2,500 tonnes of rice to Cuba in April, in addition to the grant, "
            "the foreign ministry in Tokyo said in a statement to reporters.</p></article><footer>© Wire</footer></body></html>"
        )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "page.html"
            path.write_text(html, encoding="utf-8")
            printed = json.loads(propose(path, "--published", "2026-03-12", "--format", "json"))
        self.assertEqual(printed["source"]["headline"], "Japan to give Cuba emergency food aid")
        self.assertEqual(printed["source"]["byline"], "Wire staff")
        self.assertNotIn("Home | World", printed["source"]["text"])
        self.assertEqual([p["amount"] or p["quantity"] for p in printed["proposals"]], ["450000000", "2500"])


class BadInputTests(TestCase):
    def refused(self, content: bytes, name="article.txt", *args):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            before = [m.objects.count() for m in MODELS]
            with self.assertRaises(CommandError) as raised:
                propose(path, "--published", "2026-03-12", *args)
            self.assertEqual([m.objects.count() for m in MODELS], before)
        return str(raised.exception)

    def test_an_empty_file(self):
        self.assertIn(article.EMPTY, self.refused(b""))
        self.assertIn(article.EMPTY, self.refused(b"\n\n  \n"))

    def test_a_binary_file(self):
        self.assertIn(article.BINARY, self.refused(bytes(range(256)) * 20, "photo.txt"))

    def test_an_html_page_with_no_article(self):
        page = b"<html><body><nav>Home</nav><script>var x = 1;</script><footer>Cookies</footer></body></html>"
        self.assertIn(article.NO_ARTICLE, self.refused(page, "index.html"))

    def test_a_50_mb_file(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "huge.txt"
            with path.open("wb") as handle:
                handle.truncate(50 * 1024 * 1024)  # sparse: the size is checked before anything is read
            with self.assertRaises(CommandError) as raised:
                propose(path, "--published", "2026-03-12")
        self.assertIn("50.0 MB", str(raised.exception))

    def test_a_text_longer_than_any_article(self):
        paragraph = "China donated 100 million dollars to Cuba in 2024, the ministry said on Tuesday.\n\n"
        message = self.refused((paragraph * 1500).encode())
        self.assertIn("intake reads one article", message)

    def test_text_in_another_language(self):
        french = "Le gouvernement français a annoncé une aide de 10 millions d'euros pour Cuba, selon le ministère."
        self.assertIn(article.UNKNOWN_LANGUAGE, self.refused(french.encode()))

    def test_the_wrong_language_option(self):
        spanish = "El Gobierno de México envió este martes a Cuba 800 toneladas de frijol como donación, informó la cancillería."
        message = self.refused(spanish.encode(), "a.txt", "--language", "en")
        self.assertIn("--language es", message)

    def test_an_article_with_no_figures(self):
        text = (
            "The minister visited the island on Tuesday and met officials of the government, who spoke of the weather."
        )
        self.assertIn("No entries found", self.refused(text.encode()))

    def test_a_malformed_publication_date(self):
        with self.assertRaises(CommandError) as raised:
            propose(SEED_TEXT, "--published", "5 Feb 2026")
        self.assertIn("YYYY-MM-DD", str(raised.exception))
