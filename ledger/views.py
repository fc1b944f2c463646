from django.shortcuts import render

from ledger.models import Actor, Pledge, Source, TradeFigure


def home(request):
    counts = {
        "pledges": Pledge.objects.count(),
        "trade_figures": TradeFigure.objects.count(),
        "actors": Actor.objects.count(),
        "sources": Source.objects.count(),
    }
    return render(request, "ledger/home.html", {"counts": counts})
