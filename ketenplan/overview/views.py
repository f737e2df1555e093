from django.core.paginator import Paginator
from django.shortcuts import render

from ketenplan.core.policy import policy

from . import selectors
from .forms import BoardFilterForm


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
        {"form": form, "page": page, "counts": selectors.stage_counts(user=request.user)},
    )
