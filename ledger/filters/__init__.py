"""One FilterSet per table page (PledgeFilterSet, TradeFilterSet, ActorFilterSet, SourceFilterSet),
built from the filters in base.py. The table, its export and the overview's totals all filter
through these, so they always agree on which rows a URL selects."""
