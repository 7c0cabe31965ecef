"""The dependency rule, checked on the code: grievances -> beneficiaries, programs, aid_distribution,
infrastructure, accounts, core; infrastructure -> accounts, core (it never imports grievances)."""

import ast
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[2]
PROJECT_APPS = {
    "accounts",
    "aid_distribution",
    "beneficiaries",
    "core",
    "field_app",
    "grievances",
    "infrastructure",
    "programs",
    "reports",
}
ALLOWED = {
    "grievances": {"grievances", "beneficiaries", "programs", "aid_distribution", "infrastructure", "accounts", "core"},
    "infrastructure": {"infrastructure", "accounts", "core"},
}


def imported_apps(app: str) -> dict[str, set[str]]:
    """{project app imported: {files importing it}} over the app's code (migrations included)."""
    found: dict[str, set[str]] = {}
    for path in (BASE / app).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in PROJECT_APPS:
                    found.setdefault(top, set()).add(str(path.relative_to(BASE)))
    return found


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_app_imports_only_what_the_dependency_rule_allows(app):
    stray = {dep: sorted(files) for dep, files in imported_apps(app).items() if dep not in ALLOWED[app]}
    assert stray == {}


def test_grievances_imports_infrastructure_openly():
    """No `_meta.get_field(...).related_model` to reach InfrastructureProject without naming it."""
    assert "infrastructure" in imported_apps("grievances")
    offenders = [
        str(path.relative_to(BASE))
        for path in (BASE / "grievances").rglob("*.py")
        if "related_model" in path.read_text() and "changes.py" not in path.name
    ]
    assert offenders == []
