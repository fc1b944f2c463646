from django.urls import path

from ledger import views
from ledger.views.data_dictionary import data_dictionary

app_name = "ledger"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="home"),
    path("pledges/", views.PledgeListView.as_view(), name="pledge-list"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge-detail"),
    path("trade/", views.TradeListView.as_view(), name="trade-list"),
    path("trade/<int:pk>/", views.trade_detail, name="trade-detail"),
    path("actors/", views.ActorListView.as_view(), name="actor-list"),
    path("actors/<str:code>/", views.actor_detail, name="actor-detail"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("data-dictionary/", data_dictionary, name="data-dictionary"),
]
