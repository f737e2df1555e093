"""Every URL pattern of the project, with a sample path to request it by.

Used by the tests that must cover *every* page (access rules, security headers), so a
new view is covered the moment it is routed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

OWN_MODULES = ("ketenplan.", "config.")

SAMPLE_VALUES = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "path": "sample",
    "uuid": str(uuid.UUID(int=1)),
}


@dataclass(frozen=True)
class Route:
    route: str  # the pattern as written, prefixes included
    name: str  # "namespace:name", or "" for unnamed patterns
    namespace: str
    sample: str | None  # a path that resolves to this pattern, or None if none was found
    callback: Callable

    @property
    def has_parameters(self) -> bool:
        return "<" in self.route or "(?P" in self.route or "(" in self.route

    @property
    def view(self):
        """The function or class that implements the view, decorators unwrapped."""
        view = getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)
        if view is not None:
            return view
        view = self.callback
        while hasattr(view, "__wrapped__"):
            view = view.__wrapped__
        return view

    @property
    def module(self) -> str:
        return getattr(self.view, "__module__", "") or ""

    @property
    def qualname(self) -> str:
        return f"{self.module}.{getattr(self.view, '__qualname__', repr(self.view))}"

    @property
    def is_own(self) -> bool:
        return self.module.startswith(OWN_MODULES)

    @property
    def access_policy(self) -> str | None:
        """The rule declared with ``@policy``/``@public``, looked up through every layer
        of decoration (``functools.wraps`` chains and class-based views)."""
        layers = [self.callback]
        for attr in ("view_class", "cls"):
            if getattr(self.callback, attr, None) is not None:
                layers.append(getattr(self.callback, attr))
        view = self.callback
        while hasattr(view, "__wrapped__"):
            view = view.__wrapped__
            layers.append(view)
        for layer in layers:
            declared = getattr(layer, "access_policy", None)
            if declared:
                return declared
        return None


_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _sample_route(route: str) -> str:
    return _ROUTE_PARAM.sub(lambda m: SAMPLE_VALUES.get(m.group("converter") or "str", "1"), route)


def _sample_regex(regex: str) -> str:
    """A string matching a simple URL regex: named groups become a sample value."""
    out, i = [], 0
    regex = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    while i < len(regex):
        if regex.startswith("(?P<", i):
            depth, j = 0, i
            while j < len(regex):
                if regex[j] == "\\":
                    j += 2
                    continue
                if regex[j] == "(":
                    depth += 1
                elif regex[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            body = regex[regex.index(">", i) + 1 : j]
            if re.fullmatch(r"[\w|]+", body):  # an alternation of words: take the first
                out.append(body.split("|")[0])
            else:
                out.append("1")
            i = j + 1
        elif regex[i] == "\\" and i + 1 < len(regex):
            out.append(regex[i + 1])
            i += 2
        else:
            out.append(regex[i])
            i += 1
    return "".join(out)


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _sample_route(str(pattern._route))
    if isinstance(pattern, RegexPattern):
        return _sample_regex(pattern._regex)
    return str(pattern)


def _walk(resolver, route_prefix: str, sample_prefix: str, namespace: str) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        route = route_prefix + str(entry.pattern)
        sample = sample_prefix + _sample(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, route, sample, ns)
        elif isinstance(entry, URLPattern):
            name = ""
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            path = "/" + sample
            try:
                match = resolve(path)
            except Resolver404:
                path = None
            else:
                if match.func is not entry.callback:
                    path = None
            yield Route(route, name, namespace, path, entry.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver(), "", "", ""))
