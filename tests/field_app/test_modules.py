"""The field app's ES modules, read as text: every import resolves to a module that exports the name, every module
is pre-cached by the service worker, and the sentences they show are exactly the server's translated ones."""

import json
import re
from pathlib import Path

import pytest
from django.utils import translation

from field_app import texts, views

JS = Path(views.SCRIPTS_DIR)
IMPORT = re.compile(r"^import\s+(?:\{([^}]*)\}|\*\s+as\s+\w+|(\w+))\s+from\s+'([^']+)';", re.M)
EXPORT = re.compile(r"^export\s+(?:async\s+)?(?:function|const|let|class)\s+([\w$]+)", re.M)
T_CALL = re.compile(r"\bt\('(\w+)'")
TN_CALL = re.compile(r"\btn\('(\w+)'")
# The queue's group titles are keys in its GROUPS table, passed to t() by variable.
GROUPS = re.compile(r"^const GROUPS = \[(.*?)^\];", re.M | re.S)
GROUP_TITLE = re.compile(r"\['\w+', '(\w+)', '\w+'\]")


def modules() -> dict[Path, str]:
    return {path: path.read_text() for path in sorted(JS.rglob("*.js"))}


def test_the_app_is_split_into_screens_and_state():
    names = {path.relative_to(JS).as_posix() for path in modules()}
    assert {"app.js", "state.js", "db.js", "api.js", "sync.js", "i18n.js", "config.js", "errors.js"} <= names
    screens = {"login", "rounds", "households", "record", "queue", "account", "card_scan"}
    assert {f"screens/{name}.js" for name in screens} <= names
    assert all(len(source.splitlines()) < 300 for source in modules().values())


def test_every_import_resolves_to_a_module_that_exports_the_name():
    sources = modules()
    checked = 0
    for path, source in sources.items():
        for names, default, specifier in IMPORT.findall(source):
            assert specifier.startswith("./") or specifier.startswith("../"), (path.name, specifier)
            target = (path.parent / specifier).resolve()
            assert target in sources, f"{path.relative_to(JS)} imports missing {specifier}"
            assert not default, f"{path.relative_to(JS)}: default import of {specifier}"
            exported = set(EXPORT.findall(sources[target]))
            for name in filter(None, (n.strip().split(" as ")[0] for n in names.split(","))):
                assert name in exported, f"{path.relative_to(JS)} imports {name} that {specifier} does not export"
                checked += 1
    assert checked > 50


@pytest.mark.django_db
def test_the_service_worker_precaches_every_module(client):
    body = client.get("/lapangan/sw.js").content.decode()
    assets = json.loads(body.split("const ASSETS = ")[1].split(";\n")[0])
    for path in modules():
        name = f"field_app/js/{path.relative_to(JS).as_posix()}"
        assert any(url.endswith(name) for url in assets), name


def test_the_modules_use_exactly_the_servers_sentences():
    with translation.override("id"):
        strings = texts.strings()
    source = "\n".join(modules().values())
    groups = GROUPS.search((JS / "screens" / "queue.js").read_text()).group(1)
    used = set(T_CALL.findall(source)) | set(GROUP_TITLE.findall(groups))
    plural = set(TN_CALL.findall(source)) - {"key"}
    used -= {"key"}  # the examples in i18n.js's comments
    assert used | plural == set(strings), (sorted((used | plural) - set(strings)), sorted(set(strings) - used - plural))
    assert {key for key, text in strings.items() if isinstance(text, dict)} == plural
    # No sentence is left in the modules themselves: no string literal holding two words in a row.
    assert [literal for literal in string_literals(source) if WORDS.search(literal)] == []


LITERAL = re.compile(r"'([^'\\\n]*)'|`([^`]*)`")
WORDS = re.compile(r"(?<![\w-])[A-Za-z]{3,} [a-z]{3,}(?![\w-])")


def string_literals(source: str) -> list[str]:
    """The string literals of the modules' code (comment lines and console messages left out)."""
    code = "\n".join(
        line
        for line in source.splitlines()
        if not line.lstrip().startswith(("//", "*", "/*")) and "console.warn" not in line
    )
    return [re.sub(r"\$\{[^}]*\}", " ", a or b) for a, b in LITERAL.findall(code)]


def test_sentences_have_both_forms_where_they_count():
    with translation.override("en"):
        strings = texts.strings()
    assert strings["logout_records_lost"] == {
        "one": "%(n)s unsynced record will be lost.",
        "other": "%(n)s unsynced records will be lost.",
    }
    with translation.override("id"):
        strings = texts.strings()
    assert strings["logout_records_lost"]["one"] == "%(n)s catatan belum tersinkron akan hilang."
