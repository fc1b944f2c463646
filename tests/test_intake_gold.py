"""The intake extractor measured on the gold set (tests/intake_gold/), against the targets of issue 11:
on the held-out articles, recall ≥ 0.9 and precision ≥ 0.8 per field, no forbidden proposal, every
evidence span verbatim. Each failure message carries the whole table (`bench/intake_quality.py` prints it)."""

from django.test import SimpleTestCase

from ledger.intake.quality import FIELDS, markdown, score

RECALL_TARGET = 0.9
PRECISION_TARGET = 0.8


class GoldSetTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.report = score()
        cls.table = markdown(cls.report)

    def test_no_forbidden_proposal_on_either_set(self):
        self.assertEqual(self.report.forbidden, [], self.table)

    def test_every_evidence_span_is_verbatim(self):
        self.assertEqual(self.report.not_verbatim, [], self.table)

    def test_both_sets_are_scored(self):
        self.assertEqual(set(self.report.counts), {"dev", "heldout"})
        self.assertGreaterEqual(self.report.counts["heldout"]["entries"].expected, 40)

    def test_heldout_precision_meets_the_target_on_every_field(self):
        for name in FIELDS:
            with self.subTest(field=name):
                self.assertGreaterEqual(self.report.counts["heldout"][name].precision, PRECISION_TARGET, self.table)

    def test_heldout_recall_meets_the_target_on_every_field(self):
        for name in FIELDS:
            with self.subTest(field=name):
                self.assertGreaterEqual(self.report.counts["heldout"][name].recall, RECALL_TARGET, self.table)
