"""Project-level guarantees: documented environment, no reads of ../shared, quick start in the README."""

import re
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent


def _source_files():
    for path in BASE.rglob("*.py"):
        if any(part in {".venv", ".data", "node_modules"} for part in path.parts):
            continue
        yield path


def test_every_environment_variable_is_in_env_example():
    documented = set(re.findall(r"^([A-Z_]+)=", (BASE / ".env.example").read_text(), re.MULTILINE))
    used = set()
    pattern = re.compile(
        r"""(?:env\.(?:str|bool|int|list)|os\.environ\.get|environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    for path in _source_files():
        if "tests" in path.parts and path.name != "conftest.py":
            continue
        used.update(pattern.findall(path.read_text()))
    internal = {"DJANGO_ALLOW_ASYNC_UNSAFE", "XDG_RUNTIME_DIR"}
    assert sorted(used - documented - internal) == []


def test_project_never_reads_the_shared_folder():
    offenders = [
        str(p.relative_to(BASE))
        for p in _source_files()
        if "../shared" in p.read_text() and p.name != "test_project.py"
    ]
    assert offenders == []


def test_readme_quick_start_is_two_commands():
    readme = (BASE / "README.md").read_text()
    block = readme.split("```", 2)[1]
    commands = [line.strip() for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]


def _cited_texts():
    """Code, templates, scripts and docs: everything that may cite a document."""
    for pattern in ("*.py", "*.html", "*.js", "*.md", "*.toml"):
        for path in BASE.rglob(pattern):
            if any(part in {".venv", ".data", "node_modules", "vendor", ".git"} for part in path.parts):
                continue
            if "docs" in path.parts and "decisions" in path.parts:
                continue  # the records tell the history, old names included
            yield path


def test_code_cites_only_documents_in_the_repository():
    """docs/architecture.md §6 rule 10 and docs/conventions.md: a citation names a file of this repository."""
    bare = re.compile(r"(?<![/\w])(quality|domain|architecture|style|recipes|anchors)\.md")
    cited = re.compile(r"docs/([\w/.-]+\.md)")
    missing, unqualified = [], []
    for path in _cited_texts():
        text = path.read_text(errors="ignore")
        where = str(path.relative_to(BASE))
        if "docs" not in path.parts:
            unqualified += [f"{where}: {m.group(0)}" for m in bare.finditer(text)]
        missing += [f"{where}: docs/{name}" for name in cited.findall(text) if not (BASE / "docs" / name).exists()]
    assert unqualified == []
    assert missing == []
