"""Sorting, filtering and paging for every list page — one small mechanism.

A list view hands over the queryset its selector returned (already scoped by the access
policy), an allow-list of sort keys and, where the list can be filtered, a django-filter
``FilterSet``. Filters and sorts only *narrow* or *order* that queryset; they never widen
it. Unknown sort keys fall back to the default order, invalid filter values are ignored
(the form shows why), and Django's ``Paginator.get_page`` turns a page number that is no
number into the first page and one past the end into the last — no error pages.

Templates: ``partials/sort_header.html`` for a sortable column header (a link, with
``aria-sort`` on the active column), ``partials/list_filters.html`` for the labelled
filter form and ``partials/pagination.html`` for the pages; all keep the current filter
and sort in the query string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import django_filters
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

SORT_PARAM = "sort"
PAGE_PARAM = "page"
DEFAULT_PER_PAGE = 50


@dataclass(frozen=True)
class SortKey:
    """One entry of a list's allow-list: the column label and the fields it orders by
    (ascending; the descending order reverses each)."""

    label: str
    fields: tuple  # field names ("-" for descending) or ordering expressions


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    url: str
    aria_sort: str | None  # "ascending" / "descending" on the active column, else None


@dataclass
class ListPage:
    page: Page
    sort: str
    columns: dict[str, Column]
    filter: object | None = None  # the FilterSet, when the list has one
    querystring: str = ""  # the current filters and sort, without the page
    extra: dict = field(default_factory=dict)

    @property
    def form(self):
        return self.filter.form if self.filter is not None else None


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet whose ``defaults`` apply when the query string leaves a filter out
    (e.g. "coming meetings" unless the user asks for earlier ones)."""

    defaults: dict[str, str] = {}

    def __init__(self, data=None, *args, **kwargs):
        if self.defaults:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            for name, value in self.defaults.items():
                if name not in data:
                    data[name] = value
        super().__init__(data, *args, **kwargs)


def _reverse(field):
    if not isinstance(field, str):  # an expression such as F("x").asc(nulls_first=True)
        return field.copy().reverse_ordering()
    return field[1:] if field.startswith("-") else f"-{field}"


def resolve_sort(value: str | None, sorts: Mapping[str, SortKey], default: str) -> str:
    """The requested sort when it is on the allow-list (optionally with a leading ``-``),
    else the default."""
    value = (value or "").strip()
    if value.lstrip("-") in sorts and value.count("-") <= 1 and not value.endswith("-"):
        return value
    return default


def order_fields(sort: str, sorts: Mapping[str, SortKey]) -> list[str]:
    key = sort.lstrip("-")
    fields = list(sorts[key].fields)
    if sort.startswith("-"):
        fields = [_reverse(f) for f in fields]
    # A stable order, so that paging never shows a row twice or skips one.
    if "pk" not in fields and "-pk" not in fields:
        fields.append("-pk" if sort.startswith("-") else "pk")
    return fields


def sort_columns(params: QueryDict, sorts: Mapping[str, SortKey], current: str) -> dict[str, Column]:
    """Per sortable column the link that sorts by it (the other way round when it is the
    current order, back to page one) and its ``aria-sort``."""
    columns = {}
    for key, sort_key in sorts.items():
        query = params.copy()
        query.pop(PAGE_PARAM, None)
        if current == key:
            state, query[SORT_PARAM] = "ascending", f"-{key}"
        elif current == f"-{key}":
            state, query[SORT_PARAM] = "descending", key
        else:
            state, query[SORT_PARAM] = None, key
        columns[key] = Column(key, sort_key.label, f"?{query.urlencode()}", state)
    return columns


def list_page(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    sorts: Mapping[str, SortKey],
    default_sort: str,
    filterset_class=None,
    filterset_kwargs: dict | None = None,
    per_page: int = DEFAULT_PER_PAGE,
) -> ListPage:
    """Filter, sort and page ``queryset`` (a selector's result) from ``request.GET``."""
    params = request.GET
    filterset = None
    if filterset_class is not None:
        filterset = filterset_class(
            params or None, queryset=queryset, request=request, **(filterset_kwargs or {})
        )
        # An invalid value narrows nothing: django-filter leaves that filter out and the
        # form tells the user why.
        queryset = filterset.qs
    sort = resolve_sort(params.get(SORT_PARAM), sorts, default_sort)
    queryset = queryset.order_by(*order_fields(sort, sorts))
    page = Paginator(queryset, per_page).get_page(params.get(PAGE_PARAM))
    query = params.copy()
    query.pop(PAGE_PARAM, None)
    return ListPage(
        page=page,
        sort=sort,
        columns=sort_columns(params, sorts, sort),
        filter=filterset,
        querystring=query.urlencode(),
    )
