from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from ketenplan.core.navigation import entries_for
from ketenplan.core.policy import policy

from . import selectors
from .forms import BoardFilterForm


@policy("signed_in")
def home(request):
    """Home: "My work" for those who work on cases, and the pages each role can open."""
    return render(
        request,
        "overview/home.html",
        {
            "work": selectors.my_work(user=request.user),
            "sections": entries_for(request.user),
            "today": timezone.localdate(),
        },
    )


@policy("overview.board")
def board(request):
    form = BoardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.board_cases(
        user=request.user,
        stage=filters.get("stage", ""),
        late_only=filters.get("late_only", False),
        q=filters.get("q", ""),
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    selectors.with_next_milestone(list(page.object_list))
    return render(
        request,
        "overview/board.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.stage_counts(user=request.user),
            "escalations": selectors.board_escalations(user=request.user),
        },
    )
