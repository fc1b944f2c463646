"""The maintained totals (ledger/summaries.py) always equal a rebuild from the live rows, whatever
sequence of writes went through the services, on SQLite and on PostgreSQL."""

import datetime as dt
from decimal import Decimal
from io import StringIO

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import ProtectedError
from django.test import TestCase
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from ledger import services, summaries
from ledger.models import Actor, Pledge, PledgeTotal, Source

FIXTURE = "cibercuba-2026-02-05"
REASON = "test"


def cite(source):
    return [{"source": source, "excerpt": "an excerpt", "paragraph": 1}]


class SeedTotalsTests(TestCase):
    fixtures = [FIXTURE]

    def test_loading_the_fixture_leaves_the_totals_equal_to_a_rebuild(self):
        self.assertTrue(PledgeTotal.objects.exists())
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())

    def test_loading_the_fixture_again_counts_nothing_twice(self):
        before = summaries.stored_totals()
        call_command("loaddata", FIXTURE, verbosity=0)
        self.assertEqual(summaries.stored_totals(), before)

    def test_grand_total_counts_the_package_through_its_parts(self):
        total = PledgeTotal.objects.get(filter_dim="", group_dim="total")
        self.assertEqual(summaries.as_money(total.usd_cents), Decimal("195000000"))
        self.assertEqual((total.entries, total.uncounted), (4, 1))

    def test_rebuild_totals_command_repairs_a_damaged_table(self):
        before = summaries.stored_totals()
        PledgeTotal.objects.filter(group_dim="donor").delete()
        PledgeTotal.objects.filter(group_dim="total").update(usd_cents=1)
        out = StringIO()
        call_command("rebuild_totals", stdout=out)
        self.assertEqual(summaries.stored_totals(), before)
        self.assertIn("cells", out.getvalue())

    def test_a_part_joining_and_leaving_a_package_moves_the_package_in_and_out_of_the_totals(self):
        package = Pledge.objects.get(kind=Pledge.Kind.PACKAGE)
        parts = list(package.parts.all())
        total = lambda: PledgeTotal.objects.get(filter_dim="", group_dim="total")  # noqa: E731
        for part in parts:
            services.pledge_update(pledge=part, data={"package_id": None}, reason=REASON)
        self.assertEqual(total().uncounted, 0)  # no part left: the package counts itself
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())
        services.pledge_update(pledge=parts[0], data={"package_id": package.pk}, reason=REASON)
        self.assertEqual(total().uncounted, 1)
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())

    def test_a_failed_write_leaves_the_totals_as_they_were(self):
        before = summaries.stored_totals()
        pledge = Pledge.objects.filter(amount__isnull=False, package__isnull=True).exclude(kind="package").first()
        with self.assertRaises(ValidationError):
            services.pledge_update(pledge=pledge, data={"amount": Decimal("-5")}, reason=REASON)
        self.assertEqual(summaries.stored_totals(), before)


# --- Random sequences of writes through the services -------------------------------------------

ACTORS = ["AAA", "BBB", "CCC"]
amounts = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
currencies = st.sampled_from(["USD", "USD", "EUR", "CUP"])
dates = st.one_of(st.none(), st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2026, 12, 31)))
kinds = st.sampled_from(["grant", "loan", "package", "package", "in_kind"])
targets = st.integers(min_value=0, max_value=6)
operations = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 2), st.integers(0, 2), kinds, amounts, currencies, dates),
    st.tuples(st.just("part"), targets, amounts, currencies),
    st.tuples(st.just("amount"), targets, amounts, currencies),
    st.tuples(st.just("donor"), targets, st.integers(0, 2)),
    st.tuples(st.just("date"), targets, dates),
    st.tuples(st.just("kind"), targets, kinds),
    st.tuples(st.just("status"), targets, st.sampled_from(["announced", "committed", "cancelled"])),
    st.tuples(st.just("package"), targets, st.one_of(st.none(), targets)),
    st.tuples(st.just("package"), targets, targets),
    st.tuples(st.just("revert"), targets),
    st.tuples(st.just("delete"), targets),
)


def money(amount, currency):
    if amount is None:
        return {"amount": None, "currency": "", "amount_qualifier": "", "amount_usd": None}
    return {"amount": amount, "currency": currency, "amount_qualifier": "approximately" if amount % 2 else "exact"}


def dated(date):
    return {"date": date, "date_precision": "day" if date else ""}


def goods(kind):
    if kind == "in_kind":
        return {"quantity": Decimal("12.5"), "unit": "t", "commodity": "rice", "valuation": "not_stated"}
    return {"quantity": None, "unit": "", "commodity": "", "valuation": ""}


class MaintainedTotalsEqualARebuild(HypothesisTestCase):
    """Creates, edits (amount, currency, donor, date, kind, status), package changes, reverts and
    deletes through the services, in random order; many are refused (a package that would hold
    parts of another donor, a delete of a package with parts), which must change nothing."""

    def setUp(self):
        self.actors = [Actor.objects.create(code=code, name=code, kind="international_org") for code in ACTORS]
        self.source = Source.objects.create(
            url="https://example.org/s", publisher="P", headline="H", published_on=dt.date(2026, 2, 5), language="en"
        )

    def pledge(self, index):
        pledges = list(Pledge.objects.order_by("id"))
        return pledges[index % len(pledges)] if pledges else None

    def part_of(self, index):
        """A part takes its package's donor and recipient (the rule a part must follow)."""
        if index is None:
            return {"package_id": None}
        package = self.pledge(index)
        return {"package_id": package.pk, "donor_id": package.donor_id, "recipient_id": package.recipient_id}

    def run_operation(self, operation):
        name, *args = operation
        if name == "create":
            donor, recipient, kind, amount, currency, date = args
            recipient = recipient if recipient != donor else (donor + 1) % 3
            fields = {**money(amount, currency), **dated(date), **goods(kind)}
            if kind == "in_kind" and amount is not None:
                fields["valuation"] = "reported"
            fields.pop("amount_usd", None)
            services.pledge_create(
                donor=self.actors[donor],
                recipient=self.actors[recipient],
                kind=kind,
                citations=cite(self.source),
                reason=REASON,
                **fields,
            )
            return
        pledge = self.pledge(args[0])
        if pledge is None:
            return
        if name == "part":
            if not Pledge.objects.exists():
                return
            services.pledge_create(
                kind="grant", citations=cite(self.source), reason=REASON, **self.part_of(args[0]), **money(*args[1:])
            )
        elif name == "revert":
            record = pledge.history.order_by("history_id").first()
            services.pledge_revert(pledge=pledge, history_id=record.history_id, reason=REASON)
        elif name == "delete":
            pledge.citations.all().delete()
            services.pledge_delete(pledge=pledge, reason=REASON)
        else:
            data = {
                "amount": lambda: {**money(*args[1:]), "amount_usd": None, "usd_rate": None, "usd_rate_source": ""},
                "donor": lambda: {"donor_id": self.actors[args[1]].pk},
                "date": lambda: dated(args[1]),
                "kind": lambda: {"kind": args[1], **goods(args[1])},
                "status": lambda: {"status": args[1]},
                "package": lambda: self.part_of(args[1]),
            }[name]()
            services.pledge_update(pledge=pledge, data=data, reason=REASON)

    # Always tried, whatever Hypothesis draws: a package gains a part (and stops counting itself),
    # the part moves out and is deleted (the package counts again), the package changes currency.
    @example(
        [
            ("create", 0, 1, "package", Decimal("900.00"), "USD", dt.date(2024, 5, 1)),
            ("part", 0, Decimal("300.00"), "EUR"),
            ("amount", 0, Decimal("901.00"), "CUP"),
            ("package", 1, None),
            ("package", 1, 0),
            ("delete", 1),
            ("revert", 0),
        ]
    )
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(operations, min_size=1, max_size=12))
    def test_after_any_sequence_of_writes(self, sequence):
        for operation in sequence:
            try:
                with transaction.atomic():
                    self.run_operation(operation)
            except (ValidationError, ProtectedError):
                pass  # refused: nothing was written, the totals must not have moved either  # refused: nothing was written, the totals must not have moved either
        self.assertEqual(summaries.stored_totals(), summaries.computed_totals())
