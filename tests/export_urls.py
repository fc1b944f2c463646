"""A stand-in table page for the export tests: filters by donor code, sorts by a column."""

from django.urls import path
from django.views.generic import ListView

from ledger import exports
from ledger.models import Pledge


class PledgeExportView(exports.ExportMixin, ListView):
    export_table = exports.PLEDGES

    def get_export_queryset(self):
        queryset = Pledge.objects.all()
        if donor := self.request.GET.get("donor"):
            queryset = queryset.filter(donor__code=donor)
        if sort := self.request.GET.get("sort"):
            queryset = queryset.order_by(sort, "id")
        return queryset


urlpatterns = [path("pledges/", PledgeExportView.as_view(), name="pledges")]
