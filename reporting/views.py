from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mou.choices import RAG_CHART, RAG_RULE_HELP
from mou.models import Agreement
from reminders.views import my_reminders_context
from reporting import selectors


def dashboard(request: HttpRequest) -> HttpResponse:
    context = selectors.dashboard(user=request.user)
    chart = {
        "labels": [fig.code for fig in context["agreements"]],
        "series": [
            {
                "rag": rag,
                "label": label,
                **RAG_CHART[rag],
                "data": [fig.by_rag.get(rag, 0) for fig in context["agreements"]],
            }
            for rag, label in context["rags"]
        ],
    }
    return render(
        request,
        "reporting/dashboard.html",
        {**context, **my_reminders_context(request), "chart": chart, "rag_help": RAG_RULE_HELP},
    )


def index(request: HttpRequest) -> HttpResponse:
    """What can be reported, with a link to each (one query: the agreements' names)."""
    agreements = Agreement.objects.visible_to(request.user).order_by("title").only("code", "title")
    return render(request, "reporting/index.html", {"agreements": agreements})
