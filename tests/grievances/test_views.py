"""Views: role × scope access, sensitive grievances, bulk actions, change-request screens, pinned query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from grievances import services
from grievances.models import Category, ChangeRequest, ChangeRequestStatus, Grievance, Status
from tests.factories.grievances import ChangeRequestFactory, GrievanceFactory
from tests.helpers import assert_queries

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def detail(g):
    return reverse("grievances:grievance_detail", args=[g.pk])


# --- scoping and sensitivity ----------------------------------------------------------------------------


def test_staf_kelurahan_gets_404_for_other_kelurahan(client_for, user_kelurahan, keramasan, kemang_agung):
    own = GrievanceFactory(kelurahan=keramasan)
    other = GrievanceFactory(kelurahan=kemang_agung)
    client = client_for(user_kelurahan)
    assert client.get(detail(own)).status_code == 200
    assert client.get(detail(other)).status_code == 404
    assert client.get(detail(other).replace(str(other.pk), "99999")).status_code == 404
    for name in ("grievances:grievance_assign", "grievances:grievance_status"):
        response = client.post(reverse(name, args=[other.pk]), {"to_status": "diproses"})
        assert response.status_code == 404
    listing = client.get(reverse("grievances:grievance_list")).content.decode()
    assert own.title in listing and other.title not in listing


def test_sensitive_grievance_only_for_admin_and_assignee(
    client_for, user_admin, user_kecamatan, user_kelurahan, keramasan, user_kecamatan2
):
    sensitive = GrievanceFactory(
        kelurahan=keramasan, is_sensitive=True, title="Dugaan kekerasan", assigned_to=user_kecamatan2
    )
    assert client_for(user_admin).get(detail(sensitive)).status_code == 200
    assert client_for(user_kecamatan2).get(detail(sensitive)).status_code == 200
    for user in (user_kecamatan, user_kelurahan):
        client = client_for(user)
        assert client.get(detail(sensitive)).status_code == 404
        assert "Dugaan kekerasan" not in client.get(reverse("grievances:grievance_list")).content.decode()


def test_worker_sees_only_what_it_submitted(client_for, user_lembaga, keramasan):
    own = GrievanceFactory(kelurahan=keramasan, submitted_by=user_lembaga)
    other = GrievanceFactory(kelurahan=keramasan)
    client = client_for(user_lembaga)
    assert client.get(detail(own)).status_code == 200
    assert client.get(detail(other)).status_code == 404


def test_pimpinan_sees_statistics_only(client_for, user_pimpinan, keramasan):
    grievance = GrievanceFactory(kelurahan=keramasan, title="Rahasia pribadi")
    client = client_for(user_pimpinan)
    assert client.get(reverse("grievances:grievance_list")).status_code == 403
    assert client.get(detail(grievance)).status_code == 403  # the role lacks view_grievance altogether
    stats = client.get(reverse("grievances:grievance_stats"))
    assert stats.status_code == 200
    body = stats.content.decode()
    assert "Rahasia pribadi" not in body


def test_staf_kelurahan_cannot_open_statistics(client_for, user_kelurahan):
    assert client_for(user_kelurahan).get(reverse("grievances:grievance_stats")).status_code == 403


# --- forms ----------------------------------------------------------------------------------------------


def test_create_form_errors_are_indonesian_and_save_nothing(client_for, user_kelurahan):
    response = client_for(user_kelurahan).post(
        reverse("grievances:grievance_create"),
        {
            "category": Category.MASUKAN,
            "channel": "telepon",
            "title": "",
            "description": "x",
            "received_on": "17-08-2025",
            "priority": 2,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kelurahan wajib dipilih" in body
    assert "Nama pelapor wajib diisi" in body
    assert Grievance.objects.count() == 0


def test_create_from_household_page(client_for, user_kelurahan, household):
    url = reverse("grievances:grievance_create") + f"?household={household.pk}"
    response = client_for(user_kelurahan).post(
        url,
        {
            "category": Category.BANTUAN_TIDAK_DITERIMA,
            "channel": "langsung",
            "title": "Sembako belum diterima",
            "description": "Putaran Juni",
            "received_on": timezone.localdate().strftime("%d-%m-%Y"),
            "household": household.pk,
            "complainant_name": "Siti",
            "priority": 3,
        },
    )
    grievance = Grievance.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(grievance)
    assert grievance.household == household and grievance.kelurahan_id == household.kelurahan_id


def test_close_without_answer_shows_error(client_for, user_kelurahan, keramasan):
    grievance = GrievanceFactory(kelurahan=keramasan)
    response = client_for(user_kelurahan).post(
        reverse("grievances:grievance_status", args=[grievance.pk]), {"to_status": Status.SELESAI, "answer": ""}
    )
    assert response.status_code == 400
    assert "Jawaban tertulis wajib diisi" in response.content.decode()
    grievance.refresh_from_db()
    assert grievance.status == Status.BARU


# --- bulk -----------------------------------------------------------------------------------------------


def test_bulk_view_reports_changed_and_skipped(client_for, user_kelurahan, keramasan, kemang_agung):
    mine = [GrievanceFactory(kelurahan=keramasan) for _ in range(2)]
    other = GrievanceFactory(kelurahan=kemang_agung)
    response = client_for(user_kelurahan).post(
        reverse("grievances:grievance_bulk"),
        {"ids": [g.pk for g in mine] + [other.pk], "action": "status", "to_status": "selesai", "answer": "Selesai."},
        follow=True,
    )
    body = response.content.decode()
    assert "2 pengaduan diubah" in body
    assert f"#{other.pk} (tidak ditemukan atau di luar wewenang Anda)" in body
    assert Grievance.objects.filter(status=Status.SELESAI).count() == 2


def test_bulk_view_without_selection_says_so(client_for, user_kelurahan):
    response = client_for(user_kelurahan).post(
        reverse("grievances:grievance_bulk"), {"action": "status", "to_status": "diproses"}, follow=True
    )
    assert "Pilih minimal satu pengaduan" in response.content.decode()


def test_bulk_forbidden_for_worker(client_for, user_lembaga):
    assert client_for(user_lembaga).post(reverse("grievances:grievance_bulk"), {}).status_code == 403


# --- query counts (P1) ----------------------------------------------------------------------------------


def _list_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_pinned(client_for, user_kelurahan, keramasan):
    GrievanceFactory.create_batch(2, kelurahan=keramasan, assigned_to=user_kelurahan)
    client = client_for(user_kelurahan)
    url = reverse("grievances:grievance_list")
    client.get(url)  # warm the session
    baseline = _list_queries(client, url)
    GrievanceFactory.create_batch(15, kelurahan=keramasan, assigned_to=user_kelurahan)
    with assert_queries(baseline):
        client.get(url)


def test_detail_query_count_is_pinned(client_for, user_kelurahan, keramasan, household):
    grievance = GrievanceFactory(
        kelurahan=keramasan, household=household, category=Category.DATA_SALAH, assigned_to=user_kelurahan
    )
    client = client_for(user_kelurahan)
    client.get(detail(grievance))
    baseline = _list_queries(client, detail(grievance))
    ChangeRequestFactory.create_batch(3, household=household, grievance=grievance, requested_by=user_kelurahan)
    with assert_queries(baseline):
        client.get(detail(grievance))


def test_change_request_list_query_count_is_pinned(client_for, user_kecamatan, user_kelurahan, household, member):
    client = client_for(user_kecamatan)
    url = reverse("grievances:changerequest_list")
    services.change_request_create(
        actor=user_kelurahan, household=household, field_name="address", new_value="A", reason="r"
    )
    client.get(url)
    baseline = _list_queries(client, url)
    services.change_request_create(
        actor=user_kelurahan, household=household, field_name="house_number", new_value="137A", reason="r"
    )
    services.change_request_create(
        actor=user_kelurahan, member=member, field_name="full_name", new_value="Nama Baru", reason="r"
    )
    with assert_queries(baseline):
        client.get(url)


def test_change_request_list_filters_by_status_through_its_filterset(
    client_for, user_kecamatan, user_kelurahan, household
):
    pending = services.change_request_create(
        actor=user_kelurahan, household=household, field_name="address", new_value="A", reason="r"
    )
    rejected = services.change_request_create(
        actor=user_kelurahan, household=household, field_name="house_number", new_value="137A", reason="r"
    )
    services.change_request_reject(actor=user_kecamatan, change_request=rejected, note="Tidak sesuai KK.")
    client = client_for(user_kecamatan)
    url = reverse("grievances:changerequest_list")
    shown = lambda query: [cr.pk for cr in client.get(url, query).context["requests"]]  # noqa: E731
    assert shown({"status": ChangeRequestStatus.MENUNGGU}) == [pending.pk]
    assert shown({"status": ChangeRequestStatus.DITOLAK}) == [rejected.pk]
    assert sorted(shown({"status": "bukan-status"})) == sorted([pending.pk, rejected.pk])
    response = client.get(url, {"status": ChangeRequestStatus.DITOLAK})
    assert 'value="ditolak" selected' in response.content.decode()


# --- change requests ------------------------------------------------------------------------------------


def test_data_salah_grievance_spawns_change_request(client_for, user_kelurahan, user_kecamatan, keramasan, household):
    grievance = GrievanceFactory(kelurahan=keramasan, household=household, category=Category.DATA_SALAH)
    client = client_for(user_kelurahan)
    page = client.get(detail(grievance)).content.decode()
    assert reverse("grievances:changerequest_create") + f"?grievance={grievance.pk}" in page
    step1 = client.get(reverse("grievances:changerequest_create"), {"grievance": grievance.pk})
    assert step1.status_code == 200 and "Data yang dikoreksi" in step1.content.decode()
    step2 = client.get(reverse("grievances:changerequest_create"), {"grievance": grievance.pk, "field_name": "address"})
    assert "Jl. Lama No. 5" in step2.content.decode()
    response = client.post(
        reverse("grievances:changerequest_create"),
        {
            "grievance": grievance.pk,
            "household": household.pk,
            "field_name": "address",
            "new_value": "Jl. Benar No. 5",
            "reason": "Sesuai KK",
            "evidence": SimpleUploadedFile("kk.png", PNG, content_type="image/png"),
        },
    )
    cr = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert cr.grievance == grievance and cr.old_value == "Jl. Lama No. 5" and cr.evidence
    # the author sees no decision form; another user with approval permission decides
    assert "decide-form" not in client.get(reverse("grievances:changerequest_detail", args=[cr.pk])).content.decode()
    checker = client_for(user_kecamatan)
    assert "decide-form" in checker.get(reverse("grievances:changerequest_detail", args=[cr.pk])).content.decode()
    checker.post(reverse("grievances:changerequest_decide", args=[cr.pk]), {"decision": "approve"})
    cr.refresh_from_db()
    household.refresh_from_db()
    assert cr.status == ChangeRequestStatus.DISETUJUI and household.address == "Jl. Benar No. 5"


def test_author_posting_approval_is_refused(client_for, user_kecamatan, household):
    cr = services.change_request_create(
        actor=user_kecamatan, household=household, field_name="address", new_value="X", reason="r"
    )
    response = client_for(user_kecamatan).post(
        reverse("grievances:changerequest_decide", args=[cr.pk]), {"decision": "approve"}
    )
    assert response.status_code == 400
    assert "pengajunya sendiri" in response.content.decode()
    cr.refresh_from_db()
    assert cr.status == ChangeRequestStatus.MENUNGGU


def test_stale_approval_shows_clear_message(client_for, user_kelurahan, user_kecamatan, household):
    cr = services.change_request_create(
        actor=user_kelurahan, household=household, field_name="address", new_value="X", reason="r"
    )
    type(household).objects.filter(pk=household.pk).update(address="Jl. Lain")
    response = client_for(user_kecamatan).post(
        reverse("grievances:changerequest_decide", args=[cr.pk]), {"decision": "approve"}
    )
    assert response.status_code == 400
    assert "sudah berubah sejak permintaan dibuat" in response.content.decode()


def test_evidence_download_is_attachment_scoped_and_audited(
    client_for, user_kelurahan, user_kelurahan_other, user_kecamatan, household
):
    cr = services.change_request_create(
        actor=user_kelurahan,
        household=household,
        field_name="address",
        new_value="X",
        reason="r",
        evidence=SimpleUploadedFile("ktp 1671.png", PNG, content_type="image/png"),
    )
    assert "1671" not in cr.evidence.name
    url = reverse("grievances:changerequest_evidence", args=[cr.pk])
    response = client_for(user_kecamatan).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(object_type="grievances.ChangeRequest", object_id=str(cr.pk)).exists()
    assert client_for(user_kelurahan_other).get(url).status_code == 404


def test_change_request_detail_out_of_scope_is_404(client_for, user_kelurahan_other, user_kelurahan, household):
    cr = services.change_request_create(
        actor=user_kelurahan, household=household, field_name="address", new_value="X", reason="r"
    )
    client = client_for(user_kelurahan_other)
    assert client.get(reverse("grievances:changerequest_detail", args=[cr.pk])).status_code == 404
    assert (
        client.post(reverse("grievances:changerequest_decide", args=[cr.pk]), {"decision": "approve"}).status_code
        == 403
    )


# --- tasks page, home page and household panel -----------------------------------------------------------


def test_my_tasks_and_home_count(client_for, user_kelurahan, keramasan):
    today = timezone.localdate()
    overdue = GrievanceFactory(
        kelurahan=keramasan,
        assigned_to=user_kelurahan,
        status=Status.DIPROSES,
        received_on=today - timezone.timedelta(days=30),
        due_on=today - timezone.timedelta(days=2),
        title="Sudah lewat",
    )
    new = GrievanceFactory(kelurahan=keramasan, assigned_to=user_kelurahan, title="Baru masuk")
    client = client_for(user_kelurahan)
    page = client.get(reverse("grievances:my_tasks")).content.decode()
    assert overdue.title in page and new.title in page
    home = client.get(reverse("core:home")).content.decode()
    assert "Pengaduan saya: baru/lewat batas" in home


def test_household_panel_respects_sensitivity(user_kelurahan, user_admin, household):
    from grievances.selectors import household_panel

    GrievanceFactory(kelurahan=household.kelurahan, household=household)
    GrievanceFactory(kelurahan=household.kelurahan, household=household, is_sensitive=True)
    assert household_panel(user_kelurahan, household)["total"] == 1
    assert household_panel(user_admin, household)["total"] == 2


def test_every_grievance_page_opens_for_admin_with_security_headers(client_for, user_admin, household):
    grievance = GrievanceFactory(kelurahan=household.kelurahan, household=household, category=Category.DATA_SALAH)
    cr = services.change_request_create(
        actor=user_admin, household=household, field_name="address", new_value="X", reason="r"
    )
    client = client_for(user_admin)
    urls = [
        reverse("grievances:grievance_list"),
        reverse("grievances:grievance_list") + "?status=baru&overdue=true&mine=true&q=%231",
        reverse("grievances:grievance_create"),
        reverse("grievances:my_tasks"),
        reverse("grievances:grievance_stats"),
        reverse("grievances:grievance_stats") + "?start=2026-01-01&end=2025-01-01",
        reverse("grievances:changerequest_list"),
        reverse("grievances:changerequest_create"),
        reverse("grievances:changerequest_create") + f"?household={household.pk}&field_name=rt",
        detail(grievance),
        reverse("grievances:changerequest_detail", args=[cr.pk]),
        reverse("admin:grievances_grievance_change", args=[grievance.pk]),
        reverse("admin:grievances_grievance_add"),
        reverse("admin:grievances_changerequest_change", args=[cr.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        assert "frame-ancestors 'none'" in response.get("Content-Security-Policy", ""), url
