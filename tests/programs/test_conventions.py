"""The programs app follows docs/conventions.md in its code: enums, not their string values; writes only in
the `services` package; every service takes `actor=` keyword-only."""

import inspect
import re
from pathlib import Path

from accounts.models import Role
from programs import services
from programs.models import CohortStatus, EnrollmentStatus

ROOT = Path(__file__).resolve().parents[2]
VALUES = sorted({*CohortStatus.values, *EnrollmentStatus.values, *Role.values})
LITERAL = re.compile(r"""(["'])(""" + "|".join(VALUES) + r""")\1""")


def _sources():
    for path in sorted((ROOT / "programs").rglob("*.py")):
        if "migrations" not in path.parts:
            yield path
    yield from sorted((ROOT / "templates" / "programs").rglob("*.html"))


def test_no_literal_statuses_or_roles_in_programs_code_and_templates():
    found = []
    for path in _sources():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.match(r"\s+[A-Z_]+ = [\"'][a-z_]+[\"'], (_|pgettext_lazy)\(", line):
                continue  # the enum's own definition in models.py
            if "{% translate" in line or "{% blocktranslate" in line:
                line = re.sub(r"{% (block)?translate .*?%}", "", line)
            if LITERAL.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_every_public_service_takes_actor_keyword_only():
    handlers = {"move_member"}  # the registry's merge handler protocol: (from_member, to_member)
    pure = {"add_months", "attendance_rate", "meets_attendance", "member_is_eligible"}
    for name in services.__all__:
        if name in handlers | pure:
            continue
        parameters = inspect.signature(getattr(services, name)).parameters
        assert "actor" in parameters, name
        assert parameters["actor"].kind is inspect.Parameter.KEYWORD_ONLY, name
        assert parameters["actor"].default is inspect.Parameter.empty, name  # the caller always says who acts


def test_no_write_modules_beside_the_services_package():
    assert not (ROOT / "programs" / "services.py").exists()
    assert not (ROOT / "programs" / "merging.py").exists()
