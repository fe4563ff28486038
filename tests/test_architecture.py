"""The rules of the codebase's shape, checked so they stay true: which area may import which, who may write a
status column, and that reading a page never writes (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.test_no_server_errors import client_as, routes

PORTAL = Path(__file__).resolve().parent.parent / "portal"
DOMAIN = {
    "accounts",
    "api",
    "applications",
    "catalog",
    "content",
    "home",
    "notify",
    "policies",
    "queues",
    "ratings",
    "routing",
    "search",
    "visits",
    "registry",
    "dashboard",
    "editorial",
    "rules",
    "admin",
    "surveys",
    "ventures",
    "stories",
    "events",
}

# (importing package, imported package): arrows that must not exist.
FORBIDDEN = {
    **{
        ("routing", area): "routing is a pure function of facts and rules"
        for area in ("applications", "queues", "visits")
    },
    **{("core", area): "the core knows no domain area" for area in DOMAIN},
    **{("catalog", area): "the catalog stands on its own" for area in ("applications", "queues", "visits", "routing")},
    **{("applications", area): "applications know nothing of who handles them" for area in ("queues", "visits")},
    **{
        ("registry", area): "the register stands on its own; others read its queries"
        for area in ("applications", "queues", "visits", "ratings")
    },
    **{
        (area, "dashboard"): "the dashboard reads the areas' records; they do not know it"
        for area in (
            "applications",
            "queues",
            "visits",
            "ratings",
            "registry",
            "catalog",
            "accounts",
            "notify",
            "events",
        )
    },
    **{
        ("surveys", area): "a survey reaches its audience through registered audiences and the areas' queries"
        for area in ("queues", "visits", "ratings", "search", "editorial", "rules", "admin")
    },
    **{
        (area, "surveys"): "surveys read these areas; they do not know surveys"
        for area in ("applications", "registry", "catalog", "accounts", "notify", "dashboard")
    },
    **{("catalog", "ratings"): "the catalog shows ratings through the unit.public panel"},
    **{("applications", "ratings"): "ratings show on the applicant's page through a panel"},
    **{("catalog", area): "the catalog shows projects and stories through panels" for area in ("ventures", "stories")},
    **{("ventures", "stories"): "a project knows nothing of the stories that link to it"},
    **{
        (area, "search"): "search reads stories.search and events.search; the areas do not know the index"
        for area in ("ventures", "stories", "events")
    },
    **{
        ("notify", area): "notify is told, it asks no area"
        for area in ("applications", "queues", "visits", "ratings", "registry")
    },
}


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "portal" else None


def test_no_forbidden_import_between_areas():
    broken = []
    for path in sorted(PORTAL.rglob("*.py")):
        importer = path.relative_to(PORTAL).parts[0]
        for module in imports_of(path):
            imported = area_of(module)
            if imported and imported != importer and (importer, imported) in FORBIDDEN:
                broken.append(f"{path.relative_to(PORTAL)} imports {module}: {FORBIDDEN[(importer, imported)]}")
    assert broken == []


def test_the_import_rule_test_can_fail(tmp_path):
    bad = tmp_path / "routing.py"
    bad.write_text("from portal.applications.models import Application\n", encoding="utf-8")
    assert area_of(next(m for m in imports_of(bad) if m.endswith("Application"))) == "applications"
    assert ("routing", "applications") in FORBIDDEN


def test_the_factory_knows_areas_only_by_their_init_app():
    source = (PORTAL / "__init__.py").read_text(encoding="utf-8")
    domain_imports = [m for m in imports_of(PORTAL / "__init__.py") if area_of(m) in DOMAIN]
    assert domain_imports == [], "create_app imports areas only through the AREAS list"
    assert "AREAS" in source and "init_app(app)" in source


# Status columns with a lifecycle, and the only modules that may write them.
STATUS_WRITERS = {"portal/applications/states.py", "portal/core/lifecycle.py"}
# Demo history (`flask dashboard demo`, development only): past decisions written as they stand, the way an import
# of history would be. Replaying them through the lifecycles would stamp today's time on last spring's decisions,
# audit actors who never acted and send SMS to demo numbers.
HISTORY_WRITERS = {"portal/dashboard/demo.py"}
STATUS_COLUMNS = {"status", "state"}
LIFECYCLE_MODELS = {
    "Application",
    "QueueItem",
    "Visit",
    "VisitSignup",
    "VisitOffer",
    "FollowUp",
    "Registration",
    "ContentChange",
    "RoutingChange",
    "Survey",
    "Venture",
    "Recommendation",
    "Story",
    "Event",
    "EventRegistration",
}
# Documented starting states besides a lifecycle's `initial`: a sign-up starts seated or waiting, a registration
# made by staff (帮办) waits for the person's consent.
STARTING_STATES = {"SEATED", "WAITING", "AWAITING_CONSENT"}


def status_writes(source: str) -> list[int]:
    """Lines that write a status column: `x.status = …` (also in tuple assignments), `.values(status=…)` or
    `.values({"status": …})`, or a lifecycle model created in a state other than its lifecycle's initial one."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(part, ast.Attribute) and part.attr in STATUS_COLUMNS:
                        lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            if name == "values":
                keys = set(keywords) | {
                    k.value for a in node.args if isinstance(a, ast.Dict) for k in a.keys if isinstance(k, ast.Constant)
                }
                if keys & STATUS_COLUMNS:
                    lines.append(node.lineno)
            elif name in LIFECYCLE_MODELS:
                for column in STATUS_COLUMNS & set(keywords):
                    if not _initial(keywords[column]):
                        lines.append(node.lineno)
    return lines


def _initial(value: ast.expr) -> bool:
    """`X.initial`, or a choice between a lifecycle's starting states (a sign-up starts seated or waiting)."""
    if isinstance(value, ast.Attribute) and value.attr == "initial":
        return True
    if isinstance(value, ast.IfExp):
        return all(
            _initial(v) or (isinstance(v, ast.Name) and v.id in STARTING_STATES) for v in (value.body, value.orelse)
        )
    return isinstance(value, ast.Attribute) and value.attr == "DRAFT"  # an application starts as a draft


def test_status_columns_are_written_only_by_their_transition_functions():
    offenders = []
    for path in sorted(PORTAL.rglob("*.py")):
        rel = path.relative_to(PORTAL.parent).as_posix()
        if rel not in STATUS_WRITERS | HISTORY_WRITERS:
            offenders += [f"{rel}:{line}" for line in status_writes(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_status_rule_catches_direct_writes():
    assert status_writes('visit.status = "cancelled"') == [1]
    assert status_writes("signup.status, signup.cancelled_at = a, b") == [1]
    assert status_writes("db.session.execute(sa.update(QueueItem).values(status=CLOSED))") == [1]
    assert status_writes('sa.update(Visit).values({"status": "x"})') == [1]
    assert status_writes('Visit(status="confirmed")') == [1]
    assert status_writes("Visit(status=VISIT.initial)") == []
    assert status_writes("state = request.args.get('state')") == []


@pytest.mark.parametrize("role", ["anonymous", "applicant", "staff", "office", "editor", "admin"])
def test_no_get_request_writes_to_the_database(app, db, role):
    """Reading never writes; only the audit of reading personal data is written, after the page's transaction."""
    client = client_as(app, db, role)
    writes: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE") and "audit_log" not in statement.split("(", 1)[0]:
            writes.append(f"{current}: {statement[:80]}")

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        for current in routes(app):
            client.get(current).close()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    assert writes == []


SPLIT_AREAS = (
    "applications", "queues", "visits", "core", "ratings", "notify", "registry", "dashboard", "editorial", "surveys",
    "ventures", "stories",
)  # fmt: skip


def test_modules_and_functions_of_the_split_areas_stay_small():
    """Each of these areas is split by what its modules do; none grows back into a module that does it all."""
    too_big = []
    for area in SPLIT_AREAS:
        for path in sorted((PORTAL / area).glob("*.py")):
            source = path.read_text(encoding="utf-8")
            if len(source.splitlines()) > 400:
                too_big.append(f"{path.name}: {len(source.splitlines())} lines")
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 60:
                    too_big.append(f"{area}/{path.name}:{node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert too_big == []


def test_views_do_no_sql_and_build_no_files():
    areas = (
        "applications", "queues", "visits", "ratings", "notify", "registry", "editorial", "surveys", "ventures",
        "stories",
    )  # fmt: skip
    for area in areas:
        source = (PORTAL / area / "views.py").read_text(encoding="utf-8")
        imported = imports_of(PORTAL / area / "views.py")
        assert not {"sqlalchemy", "csv", "openpyxl", "io"} & imported, area
        assert "db.session" not in source.replace("db.session.rollback()", ""), area
