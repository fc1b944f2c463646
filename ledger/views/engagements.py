"""The engagements table and an engagement's page. Rows come from ledger/selectors_engagements.py, filtering
from ledger/filters/engagements.py, columns from ledger/tables/engagements.py."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ledger import selectors_engagements as selectors
from ledger.exports.engagement_columns import ENGAGEMENTS, PARTICIPANTS
from ledger.filters.engagements import EngagementFilterSet
from ledger.models import Participant
from ledger.tables.engagements import EngagementTable
from ledger.views.exporting import export_links, export_response, filters_refused
from ledger.views.pages import LedgerTableView

PARTICIPANTS_PARAMETER = "_participants"


class EngagementListView(LedgerTableView):
    table_class = EngagementTable
    filterset_class = EngagementFilterSet
    export_table = ENGAGEMENTS
    selector = selectors.engagements_for_table
    title = "Engagements"
    intro = (
        "Visits, meetings, calls and delegations between countries, each with who took part for which side "
        "(in the role they held then) and the sentence it was read from. Dates are as precise as the source."
    )
    nav = "engagements"
    count_nouns = ("engagement", "engagements")
    template_name = "ledger/engagement_list.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        export_format = request.GET.get(PARTICIPANTS_PARAMETER)
        if export_format in self.export_formats:
            engagements = self.get_export_queryset()
            if self.filterset.is_bound and not self.filterset.is_valid():
                return filters_refused(self.filterset)
            participants = Participant.objects.filter(engagement__in=engagements.order_by().values("pk")).order_by(
                "engagement_id", "id"
            )
            return export_response(PARTICIPANTS, participants, export_format)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["participant_export_links"] = export_links(self.request, self.export_formats, PARTICIPANTS_PARAMETER)
        return context

    def get_queryset(self) -> QuerySet:
        return selectors.engagements_for_table()


def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request, "ledger/engagement_detail.html", {"nav": "engagements", **selectors.engagement_detail(pk=pk)}
    )
