"""Totals of the counted pledges, kept current on every write (ledger/summaries.py maintains them).

One row is one cell: the pledges of one *slice* (all of them, or those with one value of one filter
dimension: a donor, a recipient, a year, a kind, a status or a currency) added up over one *group*
(the grand total, a donor, a recipient, a year, a kind, a currency, a donor and year, a commodity and
unit, a currency and the reason it has no USD value). The overview and the actor pages read a slice's
cells, so their cost depends on the number of groups, never on the number of entries.

Money is summed in integer cents and goods in thousandths, so sums are exact on every database and a
change applied as a difference never drifts."""

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save


class PledgeTotal(models.Model):
    """The counted pledges of one slice, summed over one group (see the module's docstring).

    `entries` counts the pledges a total may add (counted_in_totals_condition); `uncounted` the
    packages counted through their parts instead (kept in the `total` group only). The qualifier
    flags count the entries with a USD value per amount qualifier, so a sum is "≈" or "up to" exactly
    as combine_qualifiers says of the entries it adds."""

    filter_dim = models.CharField(max_length=10, blank=True)
    filter_value = models.CharField(max_length=40, blank=True)
    group_dim = models.CharField(max_length=12)
    key = models.CharField(max_length=420, blank=True)

    entries = models.BigIntegerField(default=0)
    uncounted = models.BigIntegerField(default=0)
    usd_entries = models.BigIntegerField(default=0)
    usd_cents = models.BigIntegerField(default=0)
    q_exact = models.BigIntegerField(default=0)
    q_approximately = models.BigIntegerField(default=0)
    q_up_to = models.BigIntegerField(default=0)
    q_at_least = models.BigIntegerField(default=0)
    amount_entries = models.BigIntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)
    unconverted_entries = models.BigIntegerField(default=0)
    unconverted_cents = models.BigIntegerField(default=0)
    goods_entries = models.BigIntegerField(default=0)
    goods_usd_entries = models.BigIntegerField(default=0)
    quantity_milli = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["filter_dim", "filter_value", "group_dim", "key"], name="pledge_total_cell")
        ]

    def __str__(self):
        return f"{self.filter_dim or 'all'}={self.filter_value} by {self.group_dim} {self.key}: {self.entries}"


def _pledge_pre_save(sender, instance, raw=False, **kwargs):
    from ledger import summaries

    summaries.remember_stored(instance)


def _pledge_post_save(sender, instance, created=False, raw=False, **kwargs):
    from ledger import summaries

    summaries.apply_saved(instance)


def _pledge_pre_delete(sender, instance, **kwargs):
    from ledger import summaries

    summaries.remember_stored(instance)


def _pledge_post_delete(sender, instance, **kwargs):
    from ledger import summaries

    summaries.apply_deleted(instance)


def connect_pledge_signals() -> None:
    """Every save and delete of a pledge (admin, import, intake, revert, fixtures) updates the totals
    in its own transaction. Bulk inserts bypass signals: generate_ledger rebuilds at its end."""
    from ledger.models.pledges import Pledge

    pre_save.connect(_pledge_pre_save, sender=Pledge, dispatch_uid="ledger.totals.pre_save")
    post_save.connect(_pledge_post_save, sender=Pledge, dispatch_uid="ledger.totals.post_save")
    pre_delete.connect(_pledge_pre_delete, sender=Pledge, dispatch_uid="ledger.totals.pre_delete")
    post_delete.connect(_pledge_post_delete, sender=Pledge, dispatch_uid="ledger.totals.post_delete")


connect_pledge_signals()
