from django.urls import path

from ledger import data_dictionary, views

app_name = "ledger"

urlpatterns = [
    path("", views.home, name="home"),
    path("data-dictionary/", data_dictionary.data_dictionary, name="data-dictionary"),
]
