"""The dependency rule of the field app (field_app/apps.py): it is a client of the aid API and
imports only aid_distribution, accounts and core of the project's apps. Read from the source (ast), so an import
inside a function counts too."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ALLOWED = {"field_app", "aid_distribution", "accounts", "core"}


def project_packages() -> set[str]:
    """The repository's own top-level packages (the apps, and the settings package)."""
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests", "bench"}


def imported_packages(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def forbidden_imports(source: str) -> set[str]:
    return (imported_packages(source) & project_packages()) - ALLOWED


def test_the_check_sees_a_forbidden_import():
    assert "beneficiaries" in project_packages()
    assert "field_app" in project_packages()
    assert forbidden_imports("from beneficiaries.choices import Relationship") == {"beneficiaries"}
    assert forbidden_imports("def f():\n    import grievances.models\n") == {"grievances"}
    assert forbidden_imports("from aid_distribution import selectors\nfrom django.db import models") == set()


def test_field_app_imports_only_aid_distribution_accounts_and_core():
    files = sorted((ROOT / "field_app").rglob("*.py"))
    assert files
    offending = {str(path.relative_to(ROOT)): forbidden_imports(path.read_text()) for path in files}
    assert {path: apps for path, apps in offending.items() if apps} == {}
