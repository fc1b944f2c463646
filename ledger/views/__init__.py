"""The app's views. pages.py: the table pages and the entry pages; overview.py: the overview and how
it shapes the totals for the page (top rows, the chart)."""

from ledger.views.overview import OverviewView
from ledger.views.pages import (
    ActorListView,
    PledgeListView,
    SourceListView,
    TradeListView,
    actor_detail,
    pledge_detail,
    source_detail,
    trade_detail,
)

__all__ = [
    "ActorListView",
    "OverviewView",
    "PledgeListView",
    "SourceListView",
    "TradeListView",
    "actor_detail",
    "pledge_detail",
    "source_detail",
    "trade_detail",
]
