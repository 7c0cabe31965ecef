"""S2: every URL that takes an object id is covered by a role × scope test; a new one without an entry fails.

Programs and aid distribution keep their own, richer matrices (tests/programs/test_access.py and
tests/aid_distribution/test_views.py); the registry keeps its own in tests/beneficiaries/. This file covers
every other app and checks that, across the project, no URL with an id is left out.

For each entry an object is built in Keramasan (or for institution A), then:
- a user of the same role in another kelurahan (or institution) gets exactly 404 ("not yours" is "missing") and
  none of the object's text;
- Petugas Lembaga without that object, and Pimpinan where the page holds personal data, get 404, or 403 when the
  role lacks the view's permission altogether (`tests.security.denial.design_denial` reads it from the view);
- every refused user gets the same answer for a URL whose object does not exist: the answer never reveals
  whether the object exists;
- anonymous users are sent to the login page (or refused by the API);
- a user who may see the object gets a real answer (not 403/404), so the entry tests a working page, and 404 for
  the missing twin.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tokens import device_token_issue
from tests.factories.accounts import UserFactory
from tests.security.denial import design_denial, missing_twin

MARKER = "Rahasia Matriks Akses"  # a string only the in-scope object carries

DENIED = (403, 404)

#: Views that answer 404 to a role lacking their permission altogether, where the design says 403. Safe (404
#: reveals nothing), but not the design: reported to the lead (issue 22, A9); remove an entry once its view
#: checks the permission before loading the object.
ANSWERS_404_WITHOUT_PERMISSION = {
    ("grievances:subjectrequest_detail", Role.PETUGAS_LEMBAGA),
    ("grievances:subjectrequest_detail", Role.PIMPINAN),
    ("infrastructure:progressupdate_create", Role.PETUGAS_LEMBAGA),
    ("infrastructure:project_status", Role.PETUGAS_LEMBAGA),
    ("infrastructure:project_status", Role.STAF_KELURAHAN),
    ("infrastructure:project_update", Role.PETUGAS_LEMBAGA),
    ("infrastructure:project_update", Role.STAF_KELURAHAN),
}


@dataclass
class Case:
    method: str
    build: object  # callable(world) -> (url, allowed_user)
    #: roles that must be refused even in the object's own kelurahan (personal data, or not their job)
    refused_roles: tuple = (Role.PETUGAS_LEMBAGA,)
    api: bool = False
    #: request data, or a callable returning fresh data per request (uploads are consumed once)
    data: object = field(default_factory=dict)


def _grievance(world):
    from tests.factories.grievances import GrievanceFactory

    return GrievanceFactory(kelurahan=world["keramasan"], title=MARKER, complainant_name=MARKER)


def _change_request(world):
    from django.core.files.base import ContentFile

    from grievances.models import ChangeRequest
    from tests.factories.beneficiaries import HouseholdFactory

    household = HouseholdFactory(kelurahan=world["keramasan"], address=f"Jl. {MARKER}")
    request = ChangeRequest(
        household=household,
        field_name="address",
        old_value=household.address,
        new_value="Jl. Baru No. 1",
        reason=MARKER,
        requested_by=world["kelurahan_user"],
    )
    request.evidence.save("bukti.pdf", ContentFile(b"%PDF-1.4 " + MARKER.encode()), save=False)
    request.save()
    return request


def _subject_request(world):
    from grievances.models import SubjectRequest

    now = timezone.now()
    return SubjectRequest.objects.create(
        kind="akses",
        kelurahan=world["keramasan"],
        requester_name=MARKER,
        detail=MARKER,
        received_at=now,
        due_at=now + datetime.timedelta(hours=72),
        created_by=world["kelurahan_user"],
    )


def _project(world):
    from tests.factories.infrastructure import ProjectFactory

    return ProjectFactory(name=MARKER, kelurahan_served=[world["keramasan"]])


def _photo(world):
    from decimal import Decimal

    from infrastructure import services
    from infrastructure.models import ProjectStatus
    from tests.factories.infrastructure import ProjectFactory, photo_upload

    project = ProjectFactory(name=MARKER, kelurahan_served=[world["keramasan"]], status=ProjectStatus.KONSTRUKSI)
    update = services.progress_update_create(
        project=project,
        actor=None,
        reported_on=datetime.date(2025, 4, 1),
        physical_progress=Decimal(10),
        spent_cumulative=1_000_000,
        photos=[photo_upload()],
    )
    return update.photos.first()


def _report_run(world):
    from tests.factories.reports import ReportRunFactory

    return ReportRunFactory(kelurahan=world["keramasan"])


def _report_file(world):
    from django.core.files.base import ContentFile

    from reports.models import ReportFile

    run = _report_run(world)
    report_file = ReportFile(run=run, kind="csv", label="Tabel uji")
    report_file.file.save("uji.csv", ContentFile(MARKER.encode()), save=False)
    report_file.size = len(MARKER)
    report_file.save()
    return report_file


def _round(world):
    from tests.factories.aid_distribution import DistributionRoundFactory, entitled_household

    round_ = DistributionRoundFactory(institution=world["institution_a"], status="distributing")
    entitled_household(round_, kelurahan=world["keramasan"], address=f"Jl. {MARKER}")
    return round_


def _card_lookup(world):
    """The API's card lookup, by the typed code of the round's household card."""
    round_ = _round(world)
    code = round_.entitlements.select_related("household").get().household.card_code
    return f"{reverse('aid-round-card', args=[round_.pk])}?code={code}", world["worker_a"]


def _delivery(world):
    import uuid

    from aid_distribution import services

    round_ = _round(world)
    return services.delivery_record(
        actor=world["worker_a"],
        entitlement=round_.entitlements.first(),
        client_uuid=uuid.uuid4(),
        proxy_name="Bu Rina",
        proxy_relation="tetangga",
    ).delivery


def _photo_upload():
    from tests.factories.infrastructure import photo_upload

    return {"photo": photo_upload("bukti.jpg")}


def _kelurahan_staff(world):
    return world["kelurahan_user"]


MATRIX: dict[str, Case] = {
    "grievances:grievance_detail": Case(
        "get", lambda w: (reverse("grievances:grievance_detail", args=[_grievance(w).pk]), _kelurahan_staff(w))
    ),
    "grievances:grievance_assign": Case(
        "post", lambda w: (reverse("grievances:grievance_assign", args=[_grievance(w).pk]), _kelurahan_staff(w))
    ),
    "grievances:grievance_status": Case(
        "post", lambda w: (reverse("grievances:grievance_status", args=[_grievance(w).pk]), _kelurahan_staff(w))
    ),
    "grievances:changerequest_detail": Case(
        "get",
        lambda w: (reverse("grievances:changerequest_detail", args=[_change_request(w).pk]), _kelurahan_staff(w)),
    ),
    "grievances:changerequest_decide": Case(
        "post",
        lambda w: (reverse("grievances:changerequest_decide", args=[_change_request(w).pk]), w["kecamatan_user"]),
    ),
    "grievances:changerequest_evidence": Case(
        "get",
        lambda w: (reverse("grievances:changerequest_evidence", args=[_change_request(w).pk]), _kelurahan_staff(w)),
    ),
    "grievances:subjectrequest_detail": Case(
        "get",
        lambda w: (reverse("grievances:subjectrequest_detail", args=[_subject_request(w).pk]), _kelurahan_staff(w)),
        refused_roles=(Role.PETUGAS_LEMBAGA, Role.PIMPINAN),
    ),
    "infrastructure:project_detail": Case(
        "get", lambda w: (reverse("infrastructure:project_detail", args=[_project(w).pk]), _kelurahan_staff(w))
    ),
    "infrastructure:project_update": Case(
        "get", lambda w: (reverse("infrastructure:project_update", args=[_project(w).pk]), w["kecamatan_user"])
    ),
    "infrastructure:project_status": Case(
        "get", lambda w: (reverse("infrastructure:project_status", args=[_project(w).pk]), w["kecamatan_user"])
    ),
    "infrastructure:progressupdate_create": Case(
        "get",
        lambda w: (reverse("infrastructure:progressupdate_create", args=[_project(w).pk]), _kelurahan_staff(w)),
    ),
    "infrastructure:project_sheet": Case(
        "get", lambda w: (reverse("infrastructure:project_sheet", args=[_project(w).pk]), _kelurahan_staff(w))
    ),
    "infrastructure:photo": Case(
        "get", lambda w: (reverse("infrastructure:photo", args=[_photo(w).pk]), _kelurahan_staff(w))
    ),
    "reports:reportrun_detail": Case(
        "get", lambda w: (reverse("reports:reportrun_detail", args=[_report_run(w).pk]), _kelurahan_staff(w))
    ),
    "reports:reportrun_retry": Case(
        "post", lambda w: (reverse("reports:reportrun_retry", args=[_report_run(w).pk]), _kelurahan_staff(w))
    ),
    "reports:reportfile_download": Case(
        "get", lambda w: (reverse("reports:reportfile_download", args=[_report_file(w).pk]), _kelurahan_staff(w))
    ),
    "field_app:api_round_cards": Case(
        "get",
        lambda w: (reverse("field_app:api_round_cards", args=[_round(w).pk]), w["worker_a"]),
        refused_roles=(Role.STAF_KELURAHAN, Role.PIMPINAN),
        api=True,
    ),
    "aid-delivery-photo": Case(
        "post",
        lambda w: (reverse("aid-delivery-photo", args=[_delivery(w).client_uuid]), w["worker_a"]),
        refused_roles=(Role.STAF_KELURAHAN, Role.PIMPINAN),
        api=True,
        data=_photo_upload,
    ),
    "aid-round-detail": Case(
        "get",
        lambda w: (reverse("aid-round-detail", args=[_round(w).pk]), w["worker_a"]),
        refused_roles=(Role.STAF_KELURAHAN, Role.PIMPINAN),
        api=True,
    ),
    "aid-round-entitlements": Case(
        "get",
        lambda w: (reverse("aid-round-entitlements", args=[_round(w).pk]), w["worker_a"]),
        refused_roles=(Role.STAF_KELURAHAN, Role.PIMPINAN),
        api=True,
    ),
    "aid-round-card": Case(
        "get",
        _card_lookup,
        refused_roles=(Role.STAF_KELURAHAN, Role.PIMPINAN),
        api=True,
    ),
}

#: covered by the apps' own matrices (each of those tests fails on a missing entry of its app)
COVERED_ELSEWHERE = {
    "programs": "tests/programs/test_access.py",
    "aid_distribution": "tests/aid_distribution/test_views.py",
    "beneficiaries": "tests/beneficiaries/test_views.py",
}
#: object URLs whose access rule is "the user's own row", tested where the row is defined
OWN_ROWS = {"accounts:devicetoken_revoke": "tests/accounts/test_tokens.py"}


def urls_with_arguments() -> set[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif isinstance(pattern, URLPattern) and (pattern.pattern.converters or pattern.pattern.regex.groups):
                yield f"{prefix}{pattern.name}"

    return set(walk(get_resolver().url_patterns))


def test_every_url_with_an_id_has_an_access_test():
    missing = {
        name
        for name in urls_with_arguments()
        if name not in MATRIX and name not in OWN_ROWS and name.split(":")[0] not in COVERED_ELSEWHERE
    }
    assert missing == set()


def test_known_404_without_permission_entries_are_real():
    """Each exception above names a matrix entry and a role that really lacks the view's permission."""
    for name, role in ANSWERS_404_WITHOUT_PERMISSION:
        assert name in MATRIX, name
        assert role in (*MATRIX[name].refused_roles, Role.STAF_KELURAHAN), (name, role)


def test_apps_covered_elsewhere_really_have_their_matrix():
    from pathlib import Path

    base = Path(__file__).resolve().parent.parent.parent
    for app, path in {**COVERED_ELSEWHERE, **OWN_ROWS}.items():
        text = (base / path).read_text()
        assert "404" in text, (app, path)


@pytest.fixture
def world(keramasan, kemang_agung):
    from tests.factories.aid_distribution import InstitutionFactory, worker_of

    institution_a = InstitutionFactory(name="Lembaga A")
    institution_b = InstitutionFactory(name="Lembaga B")
    return {
        "keramasan": keramasan,
        "kemang_agung": kemang_agung,
        "institution_a": institution_a,
        "worker_a": worker_of(institution_a, username="matriks.pekerja.a"),
        "worker_b": worker_of(institution_b, username="matriks.pekerja.b"),
        "kelurahan_user": UserFactory(username="matriks.kel", role=Role.STAF_KELURAHAN, kelurahan=keramasan),
        "kelurahan_other": UserFactory(username="matriks.kel2", role=Role.STAF_KELURAHAN, kelurahan=kemang_agung),
        "kecamatan_user": UserFactory(username="matriks.kec", role=Role.STAF_KECAMATAN),
        "pimpinan": UserFactory(username="matriks.pimpinan", role=Role.PIMPINAN),
        "lembaga_none": UserFactory(username="matriks.lembaga", role=Role.PETUGAS_LEMBAGA),
    }


def _client(user, *, api: bool):
    if api:
        client = APIClient()
        if user is not None:
            _token, key = device_token_issue(actor=user, name="matriks")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_and_scope(name, world):
    case = MATRIX[name]
    url, allowed = case.build(world)

    def call(user, target=url):
        data = case.data() if callable(case.data) else case.data
        return getattr(_client(user, api=case.api), case.method)(target, data)

    ok = call(allowed)
    assert ok.status_code not in DENIED, (name, "allowed user refused", ok.status_code)
    missing = missing_twin(url)
    assert call(allowed, missing).status_code == 404, (name, "a missing object is not 404")

    outsiders = [world["worker_b"]] if case.api else [world["kelurahan_other"]]
    by_role = {
        Role.PETUGAS_LEMBAGA: world["lembaga_none"],
        Role.PIMPINAN: world["pimpinan"],
        Role.STAF_KELURAHAN: world["kelurahan_other"],
    }
    outsiders += [by_role[role] for role in case.refused_roles]
    for user in outsiders:
        response = call(user)
        expected = 404 if (name, user.role) in ANSWERS_404_WITHOUT_PERMISSION else design_denial(user, case.method, url)
        assert response.status_code == expected, (name, user.role, response.status_code, expected)
        body = response.content.decode(errors="replace") if hasattr(response, "content") else ""
        assert MARKER not in body, (name, user.role, "leaked the object's text")
        twin = call(user, missing)
        assert twin.status_code == response.status_code, (name, user.role, "answer reveals existence", twin.status_code)

    anonymous = call(None)
    if case.api:
        assert anonymous.status_code in (401, 403), (name, anonymous.status_code)
    else:
        assert anonymous.status_code == 302, name
        assert "/akun/masuk/" in anonymous["Location"], name
