"""Pages: roles and scope (S2), form errors in Indonesian, query counts pinned (P1)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programs import services
from programs.models import Cohort, CohortStatus, Enrollment, EnrollmentStatus, Outcome, Program
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.programs import CohortFactory, ProgramFactory, SessionFactory
from tests.helpers import assert_queries
from tests.programs.conftest import enroll

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(running_cohort, keramasan, kemang_agung):
    """The running cohort with two participants from Keramasan and one from Kemang Agung."""
    members = [
        MemberFactory(household=HouseholdFactory(kelurahan=keramasan), female=True, full_name="Siti Aminah"),
        MemberFactory(household=HouseholdFactory(kelurahan=keramasan), female=True, full_name="Rina Marlina"),
        MemberFactory(household=HouseholdFactory(kelurahan=kemang_agung), female=True, full_name="Dewi Kemang"),
    ]
    enrollments = [enroll(running_cohort, m) for m in members]
    services.cohort_transition(actor=None, cohort=running_cohort, action="start")
    return running_cohort, [Enrollment.objects.get(pk=e.pk) for e in enrollments]


def _graduate_all(cohort, enrollments):
    for session in cohort.sessions.filter(held_on__lte=timezone.localdate()):
        services.attendance_record(actor=None, session=session, present_ids=[e.pk for e in enrollments])
    services.cohort_complete_all(actor=None, cohort=cohort)
    return [Enrollment.objects.get(pk=e.pk) for e in enrollments]


# --- roles ------------------------------------------------------------------------------------------------


def test_program_pages_refuse_lembaga_and_pimpinan(client_for, user_lembaga, user_pimpinan, started):
    cohort, enrollments = started
    urls = [
        reverse("programs:program_list"),
        reverse("programs:program_detail", args=[cohort.program_id]),
        reverse("programs:cohort_detail", args=[cohort.pk]),
        reverse("programs:candidate_list", args=[cohort.pk]),
        reverse("programs:attendance", args=[cohort.sessions.first().pk]),
        reverse("programs:followup_list"),
        reverse("programs:enterprise_list"),
    ]
    for user in (user_lembaga, user_pimpinan):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.role, url)
    assert client_for(user_lembaga).get(reverse("programs:dashboard")).status_code == 403
    assert client_for(user_pimpinan).get(reverse("programs:dashboard")).status_code == 200


def test_anonymous_is_sent_to_login(client, started):
    cohort, _enrollments = started
    response = client.get(reverse("programs:cohort_detail", args=[cohort.pk]))
    assert response.status_code == 302
    assert "/akun/masuk/" in response["Location"]


def test_staf_kelurahan_cannot_manage_cohorts(client_for, user_kelurahan, started):
    cohort, _enrollments = started
    client = client_for(user_kelurahan)
    assert client.post(reverse("programs:cohort_transition", args=[cohort.pk]), {"action": "finish"}).status_code == 403
    assert client.get(reverse("programs:cohort_rule", args=[cohort.pk])).status_code == 403
    assert client.get(reverse("programs:program_create")).status_code == 403


def test_staf_kelurahan_sees_only_own_participants(client_for, user_kelurahan, started):
    cohort, enrollments = started
    content = client_for(user_kelurahan).get(reverse("programs:cohort_detail", args=[cohort.pk])).content.decode()
    assert "Siti Aminah" in content
    assert "Rina Marlina" in content
    assert "Dewi Kemang" not in content


def test_out_of_scope_enrollment_is_404(client_for, user_kelurahan, user_kelurahan_other, started):
    cohort, enrollments = started
    kemang = enrollments[2]
    client = client_for(user_kelurahan)
    url = reverse("programs:enrollment_action", args=[kemang.pk])
    assert client.post(url, {"action": "drop", "reason": "x"}).status_code == 404
    assert Enrollment.objects.get(pk=kemang.pk).status == EnrollmentStatus.ENROLLED
    graduated = _graduate_all(cohort, enrollments)
    assert client.get(reverse("programs:certificate_download", args=[graduated[2].pk])).status_code == 404
    follow_up = graduated[2].follow_ups.get(months_after=6)
    assert client.get(reverse("programs:outcome_create", args=[follow_up.pk])).status_code == 404
    # The same pages for the kelurahan that owns her.
    other = client_for(user_kelurahan_other)
    assert other.get(reverse("programs:certificate_download", args=[graduated[2].pk])).status_code == 200
    assert other.get(reverse("programs:outcome_create", args=[follow_up.pk])).status_code == 200


def test_staf_kelurahan_cannot_enroll_out_of_scope_member(client_for, user_kelurahan, open_cohort, member_kemang):
    response = client_for(user_kelurahan).post(
        reverse("programs:enrollment_create", args=[open_cohort.pk]), {"member": [member_kemang.pk]}
    )
    assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_missing_objects_are_404(client_for, user_kecamatan):
    client = client_for(user_kecamatan)
    for name in ("program_detail", "cohort_detail", "attendance", "candidate_list", "enterprise_detail"):
        assert client.get(reverse(f"programs:{name}", args=[999999])).status_code == 404, name


def test_attendance_only_records_visible_participants(client_for, user_kelurahan, started):
    cohort, enrollments = started
    session = cohort.sessions.first()
    response = client_for(user_kelurahan).post(
        reverse("programs:attendance", args=[session.pk]), {"hadir": [enrollments[0].pk, enrollments[2].pk]}
    )
    assert response.status_code == 400
    assert "tidak terdaftar di angkatan ini" in response.content.decode()
    assert not session.attendances.exists()


# --- flows and bad input ----------------------------------------------------------------------------------


def test_program_create_refuses_negative_budget_in_indonesian(client_for, user_kecamatan):
    response = client_for(user_kecamatan).post(
        reverse("programs:program_create"),
        {
            "name": "Pelatihan Sablon",
            "kind": "pelatihan",
            "organiser_kind": "kecamatan",
            "funding_source": "apbd",
            "budget": "-5.000",
        },
    )
    assert response.status_code == 400
    assert "Jumlah rupiah tidak boleh negatif." in response.content.decode()
    assert not Program.objects.filter(name="Pelatihan Sablon").exists()


def test_program_create_accepts_rupiah_format(client_for, user_kecamatan):
    response = client_for(user_kecamatan).post(
        reverse("programs:program_create"),
        {
            "name": "Pelatihan Sablon",
            "kind": "pelatihan",
            "organiser_kind": "kecamatan",
            "funding_source": "csr",
            "budget": "Rp12.500.000",
        },
    )
    assert response.status_code == 302
    assert Program.objects.get(name="Pelatihan Sablon").budget == 12_500_000


def test_cohort_create_form_and_errors(client_for, user_kecamatan, keramasan):
    program = ProgramFactory()
    client = client_for(user_kecamatan)
    url = reverse("programs:cohort_create", args=[program.pk])
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "number": 1,
            "starts_on": "10-03-2026",
            "ends_on": "01-03-2026",
            "venue": "Aula",
            "capacity": 0,
            "min_attendance_pct": 75,
        },
    )
    content = bad.content.decode()
    assert bad.status_code == 400
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in content
    assert not Cohort.objects.exists()
    good = client.post(
        url,
        {
            "number": 1,
            "starts_on": "02-03-2026",
            "ends_on": "30-03-2026",
            "venue": "Aula",
            "trainers": "Ibu Sri",
            "capacity": 20,
            "min_attendance_pct": 75,
            "kelurahan_set": [keramasan.pk],
        },
    )
    assert good.status_code == 302
    cohort = Cohort.objects.get()
    assert cohort.status == CohortStatus.DRAFT
    assert list(cohort.kelurahan_set.all()) == [keramasan]


def test_rule_builder_saves_and_shows_errors(client_for, user_kecamatan, open_cohort, keramasan):
    client = client_for(user_kecamatan)
    url = reverse("programs:cohort_rule", args=[open_cohort.pk])
    assert client.get(url).status_code == 200
    management = {
        "syarat-TOTAL_FORMS": 3,
        "syarat-INITIAL_FORMS": 0,
        "syarat-MIN_NUM_FORMS": 0,
        "syarat-MAX_NUM_FORMS": 12,
    }
    bad = client.post(
        url,
        {**management, "combinator": "and", "syarat-0-type": "age", "syarat-0-min_value": 50, "syarat-0-max_value": 20},
    )
    assert bad.status_code == 400
    assert "Syarat 1: batas bawah lebih besar dari batas atas." in bad.content.decode()
    good = client.post(
        url,
        {
            **management,
            "combinator": "or",
            "syarat-0-type": "age",
            "syarat-0-min_value": 18,
            "syarat-0-max_value": 45,
            "syarat-1-type": "kelurahan",
            "syarat-1-kelurahan": [keramasan.pk],
        },
    )
    assert good.status_code == 302
    open_cohort.refresh_from_db()
    assert open_cohort.eligibility_rule == {
        "combinator": "or",
        "conditions": [{"type": "age", "min": 18, "max": 45}, {"type": "kelurahan", "values": [keramasan.pk]}],
    }


def test_enroll_over_capacity_says_waitlist(client_for, user_kecamatan, keramasan):
    cohort = CohortFactory(status=CohortStatus.OPEN, capacity=1)
    members = [MemberFactory(household=HouseholdFactory(kelurahan=keramasan), female=True) for _ in range(2)]
    response = client_for(user_kecamatan).post(
        reverse("programs:enrollment_create", args=[cohort.pk]), {"member": [m.pk for m in members]}, follow=True
    )
    content = response.content.decode()
    assert "1 anggota diterima sebagai peserta." in content
    assert "Kuota penuh: 1 anggota masuk daftar tunggu." in content


def test_enroll_ineligible_without_reason_refused(client_for, user_kecamatan, open_cohort):
    open_cohort.eligibility_rule = {"combinator": "and", "conditions": [{"type": "sex", "value": 2}]}
    open_cohort.save()
    man = MemberFactory(female=False, full_name="Budi Santoso")
    response = client_for(user_kecamatan).post(
        reverse("programs:enrollment_create", args=[open_cohort.pk]), {"member": [man.pk]}, follow=True
    )
    assert "Budi Santoso tidak memenuhi aturan kelayakan" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_attendance_future_session_refused_on_page(client_for, user_kecamatan, started):
    cohort, enrollments = started
    future = cohort.sessions.get(topic="Menjahit blus")
    client = client_for(user_kecamatan)
    assert "belum berlangsung" in client.get(reverse("programs:attendance", args=[future.pk])).content.decode()
    response = client.post(reverse("programs:attendance", args=[future.pk]), {"hadir": [enrollments[0].pk]})
    assert response.status_code == 400
    assert "kehadiran untuk sesi di masa depan tidak dapat dicatat" in response.content.decode()
    assert not future.attendances.exists()


def test_outcome_negative_income_refused_on_page(client_for, user_kecamatan, started):
    cohort, enrollments = started
    graduated = _graduate_all(cohort, enrollments)
    follow_up = graduated[0].follow_ups.get(months_after=6)
    response = client_for(user_kecamatan).post(
        reverse("programs:outcome_create", args=[follow_up.pk]),
        {"recorded_on": timezone.localdate().isoformat(), "income_before": "-100000", "income_after": "500000"},
    )
    assert response.status_code == 400
    assert "Jumlah rupiah tidak boleh negatif." in response.content.decode()
    assert not Outcome.objects.exists()


def test_certificate_pdf_and_public_verification(client, client_for, user_kecamatan, started):
    cohort, enrollments = started
    graduated = _graduate_all(cohort, enrollments)
    response = client_for(user_kecamatan).get(reverse("programs:certificate_download", args=[graduated[0].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    page = client.get(reverse("programs:certificate_verify", args=[graduated[0].certificate_code]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "S. A." in content
    assert cohort.program.name in content
    assert "Siti Aminah" not in content
    assert graduated[0].member.nik not in content
    missing = client.get(reverse("programs:certificate_verify", args=["TIDAKADA1234"]))
    assert missing.status_code == 404
    assert "tidak ditemukan" in missing.content.decode()


def test_household_panel_selector(user_kecamatan, user_lembaga, started):
    from programs.selectors import household_programs

    cohort, enrollments = started
    household = enrollments[0].member.household
    assert household_programs(user_lembaga, household) is None
    # The household page has already loaded the viewer's permissions and scope.
    user_kecamatan.has_perm("programs.view_enrollment")
    user_kecamatan.kelurahan_scope()
    with assert_queries(2):
        context = household_programs(user_kecamatan, household)
        [list(e.follow_ups.all()) for e in context["enrollments"]]
    assert [e.member.full_name for e in context["enrollments"]] == ["Siti Aminah"]


def test_home_stat_counts_active_participants(
    user_kecamatan, user_kelurahan, user_pimpinan, started, keramasan, kemang_agung
):
    from programs.selectors import active_participants_by_kelurahan

    assert active_participants_by_kelurahan(user_kecamatan) == {keramasan.pk: 2, kemang_agung.pk: 1}
    assert active_participants_by_kelurahan(user_kelurahan) == {keramasan.pk: 2}
    assert active_participants_by_kelurahan(user_pimpinan) is None


# --- query counts -----------------------------------------------------------------------------------------


def _more_participants(cohort, n, kelurahan):
    cohort.capacity = 50
    cohort.save(update_fields=["capacity"])
    for _ in range(n):
        member = MemberFactory(household=HouseholdFactory(kelurahan=kelurahan), female=True)
        Enrollment.objects.create(
            cohort=cohort, program=cohort.program, member=member, status=EnrollmentStatus.ENROLLED
        )


PINNED = {"program_list": 6, "cohort_detail": 13, "attendance": 8, "dashboard": 16, "candidate_list": 10}


def _pages(cohort):
    return {
        "program_list": reverse("programs:program_list"),
        "cohort_detail": reverse("programs:cohort_detail", args=[cohort.pk]),
        "attendance": reverse("programs:attendance", args=[cohort.sessions.first().pk]),
        "dashboard": reverse("programs:dashboard") + f"?program={cohort.program_id}",
    }


def test_query_counts_are_pinned_and_do_not_grow(client_for, user_kecamatan, started, keramasan):
    cohort, enrollments = started
    client = client_for(user_kecamatan)
    client.get(reverse("programs:program_list"))  # warm the session and permission caches
    for name, url in _pages(cohort).items():
        with assert_queries(PINNED[name]):
            assert client.get(url).status_code == 200
    _more_participants(cohort, 8, keramasan)
    ProgramFactory()
    CohortFactory(program=cohort.program, status=CohortStatus.OPEN)
    SessionFactory(cohort=cohort, held_on=cohort.starts_on + datetime.timedelta(days=1))
    for name, url in _pages(cohort).items():
        with assert_queries(PINNED[name]):
            assert client.get(url).status_code == 200


def test_candidate_list_query_count_does_not_grow(client_for, user_kecamatan, open_cohort, keramasan):
    client = client_for(user_kecamatan)
    url = reverse("programs:candidate_list", args=[open_cohort.pk])
    client.get(url)
    for _ in range(3):
        MemberFactory(household=HouseholdFactory(kelurahan=keramasan))
    with assert_queries(PINNED["candidate_list"]):
        client.get(url)
    for _ in range(30):
        MemberFactory(household=HouseholdFactory(kelurahan=keramasan))
    with assert_queries(PINNED["candidate_list"]):
        assert "Halaman 1 dari 2" in client.get(url).content.decode()


def test_outcome_recorded_from_page(client_for, user_kecamatan, started):
    cohort, enrollments = started
    graduated = _graduate_all(cohort, enrollments)
    follow_up = graduated[0].follow_ups.get(months_after=6)
    response = client_for(user_kecamatan).post(
        reverse("programs:outcome_create", args=[follow_up.pk]),
        {
            "recorded_on": timezone.localdate().isoformat(),
            "has_business": "on",
            "business_kind": "jahit",
            "income_before": "300.000",
            "income_after": "Rp1.250.000",
            "sells_online": "on",
            "sells_on_marketplace": "on",
        },
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.income_before, outcome.income_after, outcome.channels) == (300_000, 1_250_000, ["marketplace"])


def test_outcome_online_without_channel_shows_error_on_field(client_for, user_kecamatan, started):
    cohort, enrollments = started
    follow_up = _graduate_all(cohort, enrollments)[0].follow_ups.get(months_after=3)
    response = client_for(user_kecamatan).post(
        reverse("programs:outcome_create", args=[follow_up.pk]),
        {
            "recorded_on": timezone.localdate().isoformat(),
            "income_before": "0",
            "income_after": "0",
            "sells_online": "on",
        },
    )
    assert response.status_code == 400
    assert "Pilih paling sedikit satu saluran penjualan daring." in response.content.decode()
    assert not Outcome.objects.exists()


def test_group_sale_recorded_and_bad_input_refused(client_for, user_kecamatan, keramasan):
    from programs.models import GroupEnterprise, GroupSale

    group = GroupEnterprise.objects.create(
        name="Kelompok Jahit", kelurahan=keramasan, business_kind="jahit", founded_on=datetime.date(2025, 1, 1)
    )
    client = client_for(user_kecamatan)
    url = reverse("programs:enterprise_detail", args=[group.pk])
    bad = client.post(url, {"month": "2025-06", "amount": "1.000.000", "online_amount": "2.000.000", "units_sold": 3})
    assert bad.status_code == 400
    assert "Omzet daring tidak boleh melebihi omzet total." in bad.content.decode()
    good = client.post(url, {"month": "2025-06", "amount": "1.000.000", "online_amount": "400.000", "units_sold": 12})
    assert good.status_code == 302
    sale = GroupSale.objects.get()
    assert (sale.month, sale.amount, sale.online_amount) == (datetime.date(2025, 6, 1), 1_000_000, 400_000)
    assert "Juni 2025" in client.get(url).content.decode()


def test_household_page_shows_programs_panel_with_outcome(client_for, user_kecamatan, user_kelurahan_other, started):
    cohort, enrollments = started
    graduated = _graduate_all(cohort, enrollments)
    follow_up = graduated[0].follow_ups.get(months_after=3)
    services.outcome_record(
        actor=None,
        follow_up=follow_up,
        data={
            "recorded_on": timezone.localdate(),
            "has_business": True,
            "business_kind": "jahit",
            "income_before": 0,
            "income_after": 800_000,
        },
    )
    url = reverse("beneficiaries:household_detail", args=[graduated[0].member.household_id])
    content = client_for(user_kecamatan).get(url).content.decode()
    assert 'data-testid="panel-programs"' in content
    assert cohort.program.name in content
    assert "Rp800.000" in content
    assert client_for(user_kelurahan_other).get(url).status_code == 404


def test_search_shows_ineligible_member_and_override_enrolls_with_reason(client_for, user_kecamatan, open_cohort):
    open_cohort.eligibility_rule = {"combinator": "and", "conditions": [{"type": "sex", "value": 2}]}
    open_cohort.save()
    man = MemberFactory(female=False, full_name="Budi Santoso")
    client = client_for(user_kecamatan)
    url = reverse("programs:candidate_list", args=[open_cohort.pk])
    assert "Budi Santoso" not in client.get(url).content.decode()
    content = client.get(url, {"q": "budi"}).content.decode()
    assert "Budi Santoso" in content
    assert "tidak memenuhi aturan" in content
    client.post(
        reverse("programs:enrollment_create", args=[open_cohort.pk]),
        {"member": [man.pk], "override_reason": "Satu-satunya pencari nafkah, disetujui camat"},
    )
    enrollment = Enrollment.objects.get()
    assert not enrollment.is_eligible_at_entry
    assert enrollment.override_reason == "Satu-satunya pencari nafkah, disetujui camat"


def test_enterprise_create_and_add_graduate(client_for, user_kecamatan, started, keramasan):
    from programs.models import GroupEnterprise, GroupMembership

    cohort, enrollments = started
    graduated = _graduate_all(cohort, enrollments)
    client = client_for(user_kecamatan)
    response = client.post(
        reverse("programs:enterprise_create"),
        {
            "name": "Kelompok Jahit Mawar",
            "program": cohort.program_id,
            "kelurahan": keramasan.pk,
            "business_kind": "jahit",
            "founded_on": "01-06-2026",
            "sells_online": "on",
        },
    )
    assert response.status_code == 302
    group = GroupEnterprise.objects.get()
    url = reverse("programs:enterprise_detail", args=[group.pk])
    outsider = MemberFactory(full_name="Bukan Lulusan")
    bad = client.post(url, {"member": outsider.pk, "joined_on": "01-06-2026"})
    assert bad.status_code == 400
    assert "Pilih lulusan program" in bad.content.decode()
    good = client.post(url, {"member": graduated[0].member_id, "role": "ketua", "joined_on": "01-06-2026"})
    assert good.status_code == 302
    assert GroupMembership.objects.get().role == "ketua"


def test_staf_kelurahan_cannot_add_group_members(client_for, user_kelurahan, keramasan, member_keramasan):
    from programs.models import GroupEnterprise

    group = GroupEnterprise.objects.create(
        name="Kelompok", kelurahan=keramasan, business_kind="jahit", founded_on=datetime.date(2025, 1, 1)
    )
    response = client_for(user_kelurahan).post(
        reverse("programs:enterprise_detail", args=[group.pk]),
        {"member": member_keramasan.pk, "joined_on": "01-06-2026"},
    )
    assert response.status_code == 403
    assert not group.memberships.exists()


def test_large_ids_are_not_localized_in_form_values(client_for, user_kecamatan, running_cohort, keramasan):
    """USE_THOUSAND_SEPARATOR would render 123456 as "123.456" and break checkboxes above id 999."""
    member = MemberFactory(id=123456, household=HouseholdFactory(kelurahan=keramasan), female=True)
    client = client_for(user_kecamatan)
    assert 'value="123456"' in client.get(reverse("programs:candidate_list", args=[running_cohort.pk])).content.decode()
    enrollment = enroll(running_cohort, member)
    Enrollment.objects.filter(pk=enrollment.pk).update(id=234567)
    services.cohort_transition(actor=None, cohort=running_cohort, action="start")
    session = running_cohort.sessions.first()
    url = reverse("programs:attendance", args=[session.pk])
    assert 'value="234567"' in client.get(url).content.decode()
    assert client.post(url, {"hadir": ["234567"]}).status_code == 302
    assert session.attendances.get().is_present


def test_followup_and_enterprise_pages_query_counts_do_not_grow(client_for, user_kecamatan, started, keramasan):
    from programs.models import FollowUp, GroupEnterprise, GroupMembership, GroupSale

    cohort, enrollments = started
    graduated = _graduate_all(cohort, enrollments)
    FollowUp.objects.update(due_on=timezone.localdate())
    group = GroupEnterprise.objects.create(
        name="Kelompok Jahit", kelurahan=keramasan, business_kind="jahit", founded_on=datetime.date(2025, 1, 1)
    )
    client = client_for(user_kecamatan)
    pages = {
        reverse("programs:followup_list"): 8,
        reverse("programs:enterprise_list"): 6,
        reverse("programs:enterprise_detail", args=[group.pk]): 11,
    }
    client.get(reverse("programs:program_list"))
    for url, expected in pages.items():
        with assert_queries(expected):
            assert client.get(url).status_code == 200
    for i, enrollment in enumerate(graduated):
        GroupMembership.objects.create(enterprise=group, member=enrollment.member, joined_on=datetime.date(2025, 1, 1))
        GroupSale.objects.create(enterprise=group, month=datetime.date(2025, 1 + i, 1), amount=1_000_000)
    GroupEnterprise.objects.create(
        name="Kelompok Purun", kelurahan=keramasan, business_kind="kerajinan", founded_on=datetime.date(2025, 1, 1)
    )
    for url, expected in pages.items():
        with assert_queries(expected):
            assert client.get(url).status_code == 200


def test_propose_then_accept_from_pages(client_for, user_kelurahan, user_kecamatan, open_cohort, member_keramasan):
    client_for(user_kelurahan).post(
        reverse("programs:enrollment_create", args=[open_cohort.pk]), {"member": [member_keramasan.pk], "accept": "0"}
    )
    enrollment = Enrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.APPLIED
    client_for(user_kecamatan).post(reverse("programs:enrollment_action", args=[enrollment.pk]), {"action": "accept"})
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACCEPTED
