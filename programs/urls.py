from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("", views.ProgramListView.as_view(), name="program_list"),
    path("baru/", views.ProgramFormView.as_view(), name="program_create"),
    path("<int:pk>/", views.ProgramDetailView.as_view(), name="program_detail"),
    path("<int:pk>/ubah/", views.ProgramFormView.as_view(), name="program_update"),
    path("<int:program_pk>/angkatan/baru/", views.CohortFormView.as_view(), name="cohort_create"),
    path("angkatan/<int:pk>/", views.CohortDetailView.as_view(), name="cohort_detail"),
    path("angkatan/<int:pk>/ubah/", views.CohortFormView.as_view(), name="cohort_update"),
    path("angkatan/<int:pk>/tahapan/", views.CohortTransitionView.as_view(), name="cohort_transition"),
    path("angkatan/<int:pk>/aturan/", views.CohortRuleView.as_view(), name="cohort_rule"),
    path("angkatan/<int:pk>/kandidat/", views.CandidateListView.as_view(), name="candidate_list"),
    path("angkatan/<int:pk>/daftarkan/", views.EnrollmentCreateView.as_view(), name="enrollment_create"),
    path("angkatan/<int:pk>/luluskan/", views.CohortCompleteView.as_view(), name="cohort_complete"),
    path("angkatan/<int:pk>/sesi/", views.SessionCreateView.as_view(), name="session_create"),
    path("sesi/<int:pk>/kehadiran/", views.AttendanceView.as_view(), name="attendance"),
    path("peserta/<int:pk>/tindakan/", views.EnrollmentActionView.as_view(), name="enrollment_action"),
    path("peserta/<int:pk>/sertifikat/", views.CertificateDownloadView.as_view(), name="certificate_download"),
    path("sertifikat/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("tindak-lanjut/", views.FollowUpListView.as_view(), name="followup_list"),
    path("tindak-lanjut/<int:pk>/hasil/", views.OutcomeCreateView.as_view(), name="outcome_create"),
    path("usaha-kelompok/", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("usaha-kelompok/baru/", views.EnterpriseCreateView.as_view(), name="enterprise_create"),
    path("usaha-kelompok/<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("dasbor/", views.DashboardView.as_view(), name="dashboard"),
]
