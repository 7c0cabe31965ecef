"""Screens: who sees what (role × scope), form errors in Indonesian, pinned query counts, photos, exports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from infrastructure import services
from infrastructure.models import InfrastructureProject, ProgressUpdate, ProjectStatus
from tests.factories.infrastructure import ProjectFactory, photo_upload
from tests.helpers import assert_queries

pytestmark = pytest.mark.django_db


def object_urls(project):
    photo = project.progress_updates.first().photos.first()
    return [
        reverse("infrastructure:project_detail", args=[project.pk]),
        reverse("infrastructure:project_sheet", args=[project.pk]),
        reverse("infrastructure:photo", args=[photo.pk]),
        reverse("infrastructure:progressupdate_create", args=[project.pk]),
        reverse("infrastructure:project_status", args=[project.pk]),
        reverse("infrastructure:project_update", args=[project.pk]),
    ]


def test_every_object_url_is_404_out_of_scope(client_for, project_keramasan, user_kelurahan_other, user_lembaga):
    """S2: a Staf Kelurahan of another kelurahan and a Petugas Lembaga get 404, with no data."""
    for user in (user_kelurahan_other, user_lembaga):
        client = client_for(user)
        for url in object_urls(project_keramasan):
            response = client.get(url)
            assert response.status_code == 404, (user.role, url)
            assert b"Lorong Pinang" not in response.content


def test_missing_object_is_the_same_404(client_for, user_admin, project_keramasan):
    client = client_for(user_admin)
    assert client.get(reverse("infrastructure:project_detail", args=[999999])).status_code == 404
    assert client.get(reverse("infrastructure:photo", args=[999999])).status_code == 404


def test_object_urls_open_in_scope(client_for, project_keramasan, user_kelurahan, user_admin):
    for url in object_urls(project_keramasan)[:3]:
        assert client_for(user_kelurahan).get(url).status_code == 200, url
    for url in object_urls(project_keramasan):
        assert client_for(user_admin).get(url).status_code == 200, url


def test_photo_served_as_image_with_nosniff(client_for, user_kelurahan, project_keramasan):
    photo = project_keramasan.progress_updates.first().photos.first()
    response = client_for(user_kelurahan).get(reverse("infrastructure:photo", args=[photo.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_photo_requires_login(client, project_keramasan):
    photo = project_keramasan.progress_updates.first().photos.first()
    assert client.get(reverse("infrastructure:photo", args=[photo.pk])).status_code == 302


def test_list_scoping_by_role(
    client_for,
    project_keramasan,
    project_kemang,
    user_admin,
    user_kecamatan,
    user_kelurahan,
    user_pimpinan,
    user_lembaga,
):
    url = reverse("infrastructure:project_list")

    def names(user):
        response = client_for(user).get(url)
        assert response.status_code == 200
        return {p.name for p in response.context["projects"]}

    both = {"Jembatan Lorong Pinang", "Drainase Jalan Kemang"}
    assert names(user_admin) == both
    assert names(user_kecamatan) == both
    assert names(user_pimpinan) == both
    assert names(user_kelurahan) == {"Jembatan Lorong Pinang"}
    assert client_for(user_lembaga).get(url).status_code == 403


def test_project_serving_two_kelurahan_listed_once(client_for, keramasan, kemang_agung):
    from tests.factories.accounts import UserFactory

    ProjectFactory(name="Jalan Penghubung", kelurahan_served=[keramasan, kemang_agung])
    user = UserFactory(role="staf_kecamatan", kelurahan_set=[keramasan, kemang_agung])
    response = client_for(user).get(reverse("infrastructure:project_list"))
    assert [p.name for p in response.context["projects"]] == ["Jalan Penghubung"]
    assert response.context["page_obj"].paginator.count == 1


def test_kecamatan_staff_with_a_scope_set_sees_only_it(client_for, project_keramasan, project_kemang, kemang_agung):
    from tests.factories.accounts import UserFactory

    user = UserFactory(role="staf_kecamatan", kelurahan_set=[kemang_agung])
    response = client_for(user).get(reverse("infrastructure:project_list"))
    assert {p.name for p in response.context["projects"]} == {"Drainase Jalan Kemang"}


def test_pimpinan_is_read_only(client_for, user_pimpinan, project_keramasan):
    client = client_for(user_pimpinan)
    assert client.get(reverse("infrastructure:project_detail", args=[project_keramasan.pk])).status_code == 200
    assert client.get(reverse("infrastructure:project_create")).status_code == 403
    assert client.get(reverse("infrastructure:progressupdate_create", args=[project_keramasan.pk])).status_code == 403
    assert client.post(reverse("infrastructure:project_status", args=[project_keramasan.pk]), {}).status_code == 403


def test_filters(client_for, user_admin, project_keramasan, project_kemang, kemang_agung):
    client = client_for(user_admin)
    url = reverse("infrastructure:project_list")
    for params, expected in [
        ({"kind": "jembatan"}, {"Jembatan Lorong Pinang"}),
        ({"status": "usulan"}, {"Drainase Jalan Kemang"}),
        ({"kelurahan": kemang_agung.pk}, {"Drainase Jalan Kemang"}),
        ({"funding_source": "apbn"}, set()),
        ({"fiscal_year": 2025}, {"Jembatan Lorong Pinang", "Drainase Jalan Kemang"}),
        ({"q": "pinang"}, {"Jembatan Lorong Pinang"}),
    ]:
        response = client.get(url, params)
        assert {p.name for p in response.context["projects"]} == expected, params


def make_projects(n, kelurahan):
    for _i in range(n):
        project = ProjectFactory(kelurahan_served=[kelurahan], status=ProjectStatus.KONSTRUKSI)
        services.progress_update_create(
            project=project,
            actor=None,
            reported_on=dt.date(2025, 4, 1),
            physical_progress=Decimal(10),
            spent_cumulative=1,
            photos=[photo_upload()],
        )


def app_queries(ctx) -> list[str]:
    """The page's own queries; session, user, permission and login-protection lookups belong to the platform."""
    return [q["sql"] for q in ctx.captured_queries if '"infrastructure_' in q["sql"] or '"core_' in q["sql"]]


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        # scope, page count, projects, their kelurahan, attention section, kelurahan and year choices
        ("infrastructure:project_list", 7),
        # scope, projects, their kelurahan, kelurahan and year choices
        ("infrastructure:project_map", 5),
    ],
)
def test_list_and_map_query_count_does_not_grow(client_for, user_kecamatan, keramasan, url_name, expected):
    client = client_for(user_kecamatan)
    url = reverse(url_name)
    make_projects(2, keramasan)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    assert len(app_queries(first)) == expected, "\n".join(app_queries(first))
    make_projects(5, keramasan)
    with assert_queries(len(first.captured_queries)):
        client.get(url)


def test_detail_query_count_does_not_grow(client_for, user_kecamatan, project_keramasan):
    client = client_for(user_kecamatan)
    url = reverse("infrastructure:project_detail", args=[project_keramasan.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    # scope, project, updates, photos, kelurahan, RTs, status changes
    assert len(app_queries(first)) == 7, "\n".join(app_queries(first))
    for day in (2, 3, 4):
        services.progress_update_create(
            project=project_keramasan,
            actor=None,
            reported_on=dt.date(2025, 4, day),
            physical_progress=Decimal(30 + day),
            spent_cumulative=100_000_000,
            photos=[photo_upload(), photo_upload()],
        )
    with assert_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["updates"]) == 4


# Forms and bad input


def post_update(client, project, **overrides):
    data = {"reported_on": "2025-04-10", "physical_progress": "40", "spent_cumulative": "150000000", "note": ""}
    data.update(overrides)
    return client.post(reverse("infrastructure:progressupdate_create", args=[project.pk]), data)


def test_add_update_as_kelurahan_staff_with_photo(client_for, user_kelurahan, project_keramasan):
    response = post_update(client_for(user_kelurahan), project_keramasan, photos=[photo_upload("a.jpg")])
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(reported_on=dt.date(2025, 4, 10))
    assert update.reported_by == user_kelurahan
    assert update.photos.count() == 1


def test_progress_120_gets_indonesian_error_on_the_field(client_for, user_kelurahan, project_keramasan):
    response = post_update(client_for(user_kelurahan), project_keramasan, physical_progress="120")
    assert response.status_code == 200
    assert (
        "Progres fisik harus antara 0 dan 100% (diisi 120%)" in response.context["form"].errors["physical_progress"][0]
    )
    assert "Progres fisik harus antara 0 dan 100%" in response.content.decode()
    assert ProgressUpdate.objects.count() == 1


def test_non_image_photo_refused_with_field_error(client_for, user_kelurahan, project_keramasan):
    fake = SimpleUploadedFile("laporan.jpg", b"ini bukan gambar sama sekali", content_type="image/jpeg")
    response = post_update(client_for(user_kelurahan), project_keramasan, photos=[fake])
    assert response.status_code == 200
    assert "“laporan.jpg” bukan gambar" in " ".join(response.context["form"].errors["photos"])
    assert ProgressUpdate.objects.count() == 1


def test_oversized_photo_refused_with_field_error(client_for, user_kelurahan, project_keramasan):
    big = SimpleUploadedFile("besar.jpg", b"\xff\xd8" + b"0" * (8 * 1024 * 1024 + 10), content_type="image/jpeg")
    response = post_update(client_for(user_kelurahan), project_keramasan, photos=[big])
    assert response.status_code == 200
    assert "terlalu besar" in response.context["form"].errors["photos"][0]
    assert ProgressUpdate.objects.count() == 1


def test_over_budget_update_saved_with_warning(client_for, user_kelurahan, project_keramasan):
    response = post_update(client_for(user_kelurahan), project_keramasan, spent_cumulative="900000000")
    assert response.status_code == 302
    page = client_for(user_kelurahan).get(response["Location"])
    assert "Realisasi melebihi pagu" in page.content.decode()


def test_create_project_end_before_start_error(client_for, user_kecamatan, keramasan):
    data = {
        "name": "Jalan Baru",
        "kind": "jalan",
        "fiscal_year": "2025",
        "kelurahan_served": [keramasan.pk],
        "budget": "100000000",
        "funding_source": "apbd_kota",
        "planned_start_on": "2025-06-01",
        "planned_end_on": "2025-05-01",
        "route": "[[-3.01, 104.72], [-3.02, 104.73]]",
    }
    response = client_for(user_kecamatan).post(reverse("infrastructure:project_create"), data)
    assert response.status_code == 200
    assert "tidak boleh sebelum rencana mulai" in response.context["form"].errors["planned_end_on"][0]
    assert not InfrastructureProject.objects.exists()
    data["planned_end_on"] = "2025-12-01"
    response = client_for(user_kecamatan).post(reverse("infrastructure:project_create"), data)
    assert response.status_code == 302
    project = InfrastructureProject.objects.get()
    assert project.route == [[-3.01, 104.72], [-3.02, 104.73]]
    assert project.created_by == user_kecamatan


def test_create_project_bad_route_json(client_for, user_kecamatan, keramasan):
    data = {"name": "X", "kind": "jalan", "fiscal_year": "2025", "kelurahan_served": [keramasan.pk], "budget": "0"}
    data.update(funding_source="apbd_kota", route="[[-3.01, 104.72]")
    response = client_for(user_kecamatan).post(reverse("infrastructure:project_create"), data)
    assert "Lintasan bukan JSON" in response.context["form"].errors["route"][0]


def test_status_form_guards_and_halts(client_for, user_kecamatan, project_kemang):
    client = client_for(user_kecamatan)
    url = reverse("infrastructure:project_status", args=[project_kemang.pk])
    response = client.post(url, {"to_status": "konstruksi", "changed_on": "2025-05-01"})
    assert response.status_code == 200  # not an allowed choice from "usulan"
    assert response.context["form"].errors["to_status"]
    response = client.post(url, {"to_status": "dihentikan", "changed_on": "2025-05-01"})
    assert "Tuliskan alasan" in response.context["form"].errors["halt_reason"][0]
    response = client.post(
        url, {"to_status": "dihentikan", "changed_on": "2025-05-01", "halt_reason": "Lahan sengketa"}
    )
    assert response.status_code == 302
    project_kemang.refresh_from_db()
    assert project_kemang.status == "dihentikan"


def test_text_is_escaped_everywhere(client_for, user_admin, keramasan):
    ProjectFactory(name='<script>alert("x")</script>', kelurahan_served=[keramasan])
    for url in (reverse("infrastructure:project_list"), reverse("infrastructure:project_map")):
        body = client_for(user_admin).get(url).content.decode()
        assert '<script>alert("x")</script>' not in body


# Exports


def test_xlsx_export_neutralises_formulas(client_for, user_kecamatan, keramasan):
    ProjectFactory(
        name='=HYPERLINK("http://x")', contractor="+cmd", contract_number="@SUM(1)", kelurahan_served=[keramasan]
    )
    ProjectFactory(name="-2+3", contractor="\tTab", contract_number="\rCR", kelurahan_served=[keramasan])
    response = client_for(user_kecamatan).get(reverse("infrastructure:project_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    dangerous = [v for v in values if v and v[0] in "=+-@\t\r"]
    assert dangerous == []
    assert '\'=HYPERLINK("http://x")' in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_export_follows_filter_and_scope(client_for, user_kelurahan, project_keramasan, project_kemang):
    response = client_for(user_kelurahan).get(reverse("infrastructure:project_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["Jembatan Lorong Pinang"]


def test_pdf_sheet(client_for, user_kelurahan, project_keramasan):
    response = client_for(user_kelurahan).get(reverse("infrastructure:project_sheet", args=[project_keramasan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"/Subtype /Image" in response.content


# Contributions to other pages


def test_home_counts_projects_per_kelurahan(client_for, user_kecamatan, keramasan, kemang_agung):
    ProjectFactory(kelurahan_served=[keramasan, kemang_agung])
    ProjectFactory(kelurahan_served=[keramasan])
    response = client_for(user_kecamatan).get(reverse("core:home"))
    rows = {row["kelurahan"].name: dict(row["counts"]) for row in response.context["rows"]}
    assert rows["Keramasan"]["Proyek infrastruktur"] == 2
    assert rows["Kemang Agung"]["Proyek infrastruktur"] == 1


def test_household_panel_selector(user_kelurahan, user_lembaga, project_keramasan, keramasan, kemang_agung):
    from types import SimpleNamespace

    from infrastructure.selectors import household_panel

    household = SimpleNamespace(kelurahan_id=keramasan.pk)
    context = household_panel(user_kelurahan, household)
    assert [p.name for p in context["projects"]] == ["Jembatan Lorong Pinang"]
    assert household_panel(user_lembaga, household) is None
    assert household_panel(user_kelurahan, SimpleNamespace(kelurahan_id=kemang_agung.pk))["projects"] == []


def test_menu_entry_only_for_roles_with_access(client_for, user_kelurahan, user_lembaga):
    body = client_for(user_kelurahan).get(reverse("core:home")).content.decode()
    assert 'data-menu="infrastructure"' in body
    body = client_for(user_lembaga).get(reverse("core:home")).content.decode()
    assert 'data-menu="infrastructure"' not in body
