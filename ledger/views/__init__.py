"""The app's views. pages.py: the table pages and the entry pages."""

from ledger.views.pages import (
    ActorListView,
    OverviewView,
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
