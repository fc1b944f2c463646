"""Every table's body rows, written by the ledger_tables tag, are what django-tables2's template loop
writes for the same rows: the same cells (render methods, links, unknown values), the same escaping,
the same cell attributes, and the empty text when no row matches."""

from datetime import date
from decimal import Decimal

from django.template import Context, Template
from django.test import RequestFactory, TestCase
from django_tables2 import RequestConfig

from ledger import selectors
from ledger.tables.actors import ActorTable
from ledger.tables.pledges import PledgeTable
from ledger.tables.sources import SourceTable
from ledger.tables.trade import TradeTable
from tests import factories

# The loop templates/ledger/table.html held before the tag (django-tables2's, with data-label).
TEMPLATE_LOOP = Template(
    "{% for row in table.paginated_rows %}<tr>{% for column, cell in row.items %}"
    '<td {{ column.attrs.td.as_html }} data-label="{{ column.header }}">{{ cell }}</td>{% endfor %}</tr>'
    '{% empty %}{% if table.empty_text %}<tr><td colspan="{{ table.columns|length }}">{{ table.empty_text }}</td></tr>'
    "{% endif %}{% endfor %}"
)
TAG = Template("{% load ledger_tables %}{% table_body_rows table %}")


class TableRowsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        china = factories.actor("CHN", "China")
        cuba = factories.actor("CUB", "Cuba <& Co>")
        src = factories.source(headline='Rice & "beans" <b>now</b>')
        factories.pledge(china, cuba, src=src, description="<script>alert(1)</script> & rice")
        factories.pledge(
            cuba,
            china,
            src=src,
            amount=None,
            kind="in_kind",
            quantity=Decimal("60000"),
            unit="t",
            commodity="rice",
            valuation="not_stated",
            date=date(2026, 1, 1),
            date_precision="month",
        )
        factories.pledge(china, cuba, src=src, amount=Decimal("450000000"), currency="JPY")
        factories.trade(china, cuba, src=src, year=2024)
        factories.trade(cuba, china, src=src, amount=None, year=2023)

    def render_both(self, table_class, rows, query=""):
        table = table_class(rows)
        RequestConfig(RequestFactory().get(f"/x/?{query}"), paginate={"per_page": 25}).configure(table)
        return TEMPLATE_LOOP.render(Context({"table": table})), TAG.render(Context({"table": table}))

    def test_every_table_the_same_cells(self):
        for table_class, rows in [
            (PledgeTable, selectors.pledges_for_table()),
            (TradeTable, selectors.trade_for_table()),
            (ActorTable, selectors.actors_for_table()),
            (SourceTable, selectors.sources_for_table()),
        ]:
            for query in ("", "sort=-id", "sort=amount_usd"):
                with self.subTest(table=table_class.__name__, query=query):
                    loop, tag = self.render_both(table_class, rows, query)
                    self.assertGreaterEqual(tag.count("<td "), 2)
                    self.assertHTMLEqual(tag, loop)
                    self.assertNotIn("<script>", tag)

    def test_no_rows_gives_the_empty_text(self):
        loop, tag = self.render_both(PledgeTable, selectors.pledges_for_table().none())
        self.assertIn("No pledges match these filters.", tag)
        self.assertHTMLEqual(tag, loop)

    def test_cell_attributes_computed_per_record_still_are(self):
        table = PledgeTable(selectors.pledges_for_table())
        table.columns["id"].column.attrs = {"td": {"data-id": lambda record: record.pk}}
        RequestConfig(RequestFactory().get("/x/"), paginate={"per_page": 25}).configure(table)
        tag = TAG.render(Context({"table": table}))
        self.assertHTMLEqual(tag, TEMPLATE_LOOP.render(Context({"table": table})))
        for pk in selectors.pledges_for_table().values_list("pk", flat=True):
            self.assertIn(f'data-id="{pk}"', tag)
