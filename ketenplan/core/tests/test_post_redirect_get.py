"""Post/Redirect/Get: the browser's back button never re-submits a form.

Every view that writes through a service answers a successful write with a redirect,
never with a rendered page. Checked two ways:

* a scan of every view module (no database, so it covers views written tomorrow): in a
  function that can render a page, the first ``return`` on the success path after a
  ``services.*`` call — the rest of the block, the ``else:`` of its ``try``, the blocks
  around it — must be a redirect;
* requests through the main write views (below, and in each app's own view tests), which
  assert the 302 and that the write happened.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ketenplan
from ketenplan.accounts.models import Role

ROOT = Path(ketenplan.__file__).parent
VIEW_MODULES = sorted(
    p for p in [*ROOT.glob("*/views.py"), *ROOT.glob("*/views/*.py")] if "benchmark" not in p.parts
)
# Returns that are redirects: Django's, and the apps' own helpers that wrap it.
REDIRECTS = {"redirect", "HttpResponseRedirect", "HttpResponseSeeOther"}
REDIRECT_PREFIXES = ("_to_", "_redirect", "redirect_")
# Services that write on a *read* (the audit of what was seen) or only read: a page after
# them is right.
READ_AUDIT = {
    "audit_record",
    "privacy_record",
    "person_search_audit",
    "note_objects",
    "packet_open",
    "invitation_for_token",
    "client_ip",
    "reporting_required",
}
READ_AUDIT_SUFFIXES = ("_view_record",)
# Views that may render after a write, each with the reason.
ALLOWED: dict[str, str] = {
    "ketenplan/risk/views.py:assessment_autosave": (
        "htmx autosave of a draft assessment: an XMLHttpRequest answered with a fragment, "
        "never a page in the browser's history"
    ),
}


def _service_modules(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to a services module, and functions imported from one."""
    modules, functions = {"services"}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1] == "services":
            functions.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.update(alias.asname or alias.name for alias in node.names if alias.name == "services")
    return modules, functions - READ_AUDIT


def _is_write(call: ast.Call, modules: set[str], functions: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        name = func.attr
        if func.value.id not in modules:
            return False
    elif isinstance(func, ast.Name):
        name = func.id
        if name not in functions:
            return False
    else:
        return False
    return name not in READ_AUDIT and not name.endswith(READ_AUDIT_SUFFIXES)


def _own_statements(func: ast.FunctionDef):
    """The statements of ``func``, those of functions and lambdas defined inside it left out
    (they run when called, which the scan sees at the call)."""
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    stack = [node for node in func.body if not isinstance(node, nested)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(
            c for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt) and not isinstance(c, nested)
        )


def _get_only(func: ast.FunctionDef) -> bool:
    names = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", "") for d in func.decorator_list}
    return "require_GET" in names or "require_safe" in names


def _is_redirect(node: ast.Return) -> bool:
    value = node.value
    if not isinstance(value, ast.Call):
        return False
    name = value.func.id if isinstance(value.func, ast.Name) else getattr(value.func, "attr", "")
    return name in REDIRECTS or name.startswith(REDIRECT_PREFIXES)


def _calls_render(func: ast.FunctionDef) -> bool:
    for node in ast.walk(func):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "render" or name.endswith("_page"):
                return True
    return False


def _parents(func: ast.FunctionDef) -> dict[int, tuple[ast.AST, str, int]]:
    """For every statement: its parent, the field holding it and its index there."""
    parents = {}
    for parent in ast.walk(func):
        for field in ("body", "orelse", "finalbody", "handlers"):
            children = getattr(parent, field, None)
            if not isinstance(children, list):
                continue
            for index, child in enumerate(children):
                parents[id(child)] = (parent, field, index)
    return parents


def _first_return(stmt: ast.stmt, func: ast.FunctionDef, parents) -> ast.Return | None:
    """The first ``return`` directly met after ``stmt`` on the path where it succeeded."""
    current = stmt
    while current is not func:
        parent, field, index = parents[id(current)]
        following = list(getattr(parent, field))[index + 1 :]
        if isinstance(parent, ast.Try) and field == "body":
            following = list(getattr(parent, field))[index + 1 :] + parent.orelse
        for sibling in following:
            if isinstance(sibling, ast.Return):
                return sibling
        if isinstance(parent, ast.ExceptHandler):
            parent = parents[id(parent)][0]
        current = parent
    return None


def violations() -> list[str]:
    found = []
    for path in VIEW_MODULES:
        tree = ast.parse(path.read_text())
        modules, functions = _service_modules(tree)
        defined = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        # Helpers of the module that write and show no page count as writes where called.
        for func in defined:
            if not _calls_render(func) and any(
                isinstance(n, ast.Call) and _is_write(n, modules, functions) for n in ast.walk(func)
            ):
                functions.add(func.name)
        for func in defined:
            if not _calls_render(func) or _get_only(func):
                continue  # it cannot show a page after a write, or takes no POST
            where = f"{path.relative_to(ROOT.parent)}:{func.name}"
            if where in ALLOWED:
                continue
            parents = _parents(func)
            for stmt in _own_statements(func):
                if id(stmt) not in parents:
                    continue
                direct = [
                    n for n in ast.walk(stmt) if isinstance(n, ast.Call) and _is_write(n, modules, functions)
                ]
                # Only the innermost statement that holds the call.
                inner = [c for c in ast.iter_child_nodes(stmt) if isinstance(c, ast.stmt)]
                if not direct or any(
                    any(isinstance(n, ast.Call) and _is_write(n, modules, functions) for n in ast.walk(c))
                    for c in inner
                ):
                    continue
                returned = stmt if isinstance(stmt, ast.Return) else _first_return(stmt, func, parents)
                if returned is None or not _is_redirect(returned):
                    line = returned.lineno if returned is not None else "end"
                    found.append(f"{where} line {stmt.lineno}: write, then return at {line}")
    return found


def test_the_scan_covers_every_view_module():
    assert len(VIEW_MODULES) >= 10
    assert all(p.exists() for p in VIEW_MODULES)


def test_no_view_renders_a_page_after_a_successful_write():
    assert violations() == []


# --- Through the pages: writes that used to show their result on the POST's own page ---------


@pytest.mark.django_db
def test_a_new_api_token_is_shown_once_after_a_redirect(client, sign_in):
    sign_in(Role.PARTNER)
    response = client.post("/api/tokens/", {"name": "Case system", "valid_days": 30})
    assert response.status_code == 302 and response["Location"] == "/api/tokens/"
    shown = client.get("/api/tokens/").content.decode()
    assert "It will not be shown again" in shown
    assert "It will not be shown again" not in client.get("/api/tokens/").content.decode()


@pytest.mark.django_db
def test_a_new_calendar_link_is_shown_once_after_a_redirect(client, sign_in):
    sign_in(Role.PARTNER)
    response = client.post("/meetings/calendar/", {"action": "create"})
    assert response.status_code == 302 and response["Location"] == "/meetings/calendar/"
    assert "/meetings/calendar/feed/" in client.get("/meetings/calendar/").content.decode()
    assert "/meetings/calendar/feed/" not in client.get("/meetings/calendar/").content.decode()
