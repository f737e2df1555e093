from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from ketenplan.core import lists
from ketenplan.core.navigation import entries_for
from ketenplan.core.policy import policy

from . import selectors
from .forms import BOARD_DEFAULT_SORT, BOARD_SORTS, BoardFilterForm


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
    sort = lists.resolve_sort(request.GET.get(lists.SORT_PARAM), BOARD_SORTS, BOARD_DEFAULT_SORT)
    cases = cases.order_by(*lists.order_fields(sort, BOARD_SORTS))
    counts = selectors.stage_counts(user=request.user)
    paginator = Paginator(cases, 50)
    total = selectors.board_total(
        counts,
        stage=filters.get("stage", ""),
        late_only=filters.get("late_only", False),
        q=filters.get("q", ""),
    )
    if total is not None:  # no second count of every visible case for the paginator
        paginator.count = total
    page = paginator.get_page(request.GET.get(lists.PAGE_PARAM))
    selectors.with_next_milestone(list(page.object_list))
    return render(
        request,
        "overview/board.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "columns": lists.sort_columns(request.GET, BOARD_SORTS, sort),
            "counts": counts,
            "escalations": selectors.board_escalations(user=request.user),
        },
    )
