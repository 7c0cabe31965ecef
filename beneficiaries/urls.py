from django.urls import path

from beneficiaries import views

app_name = "beneficiaries"

urlpatterns = [
    path("", views.HouseholdListView.as_view(), name="household_list"),
    path("cari/", views.HouseholdSearchView.as_view(), name="household_search"),
    path("ekspor/", views.HouseholdExportView.as_view(), name="household_export"),
    path("keluarga/baru/", views.HouseholdCreateView.as_view(), name="household_create"),
    path("keluarga/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("keluarga/<int:pk>/tampilkan/", views.HouseholdRevealView.as_view(), name="household_reveal"),
    path("keluarga/<int:pk>/ubah/", views.HouseholdUpdateView.as_view(), name="household_update"),
    path("keluarga/<int:pk>/nonaktifkan/", views.HouseholdDeactivateView.as_view(), name="household_deactivate"),
    path("keluarga/<int:pk>/persetujuan/", views.ConsentCreateView.as_view(), name="consent_create"),
    path("persetujuan/<int:pk>/tarik/", views.ConsentWithdrawView.as_view(), name="consent_withdraw"),
    path("anggota/<int:pk>/pindah/", views.MemberMoveView.as_view(), name="member_move"),
    path("anggota/<int:pk>/nonaktifkan/", views.MemberDeactivateView.as_view(), name="member_deactivate"),
    path("anggota/<int:pk>/permintaan-data/", views.SubjectRequestView.as_view(), name="member_subject_request"),
    path("data-ganda/", views.DuplicateListView.as_view(), name="duplicate_list"),
    path("data-ganda/<int:pk>/", views.DuplicateDetailView.as_view(), name="duplicate_detail"),
    path(
        "data-ganda/keluarga/<int:pk>/selesai/", views.HouseholdFlagResolveView.as_view(), name="household_flag_resolve"
    ),
    path("impor/", views.ImportListView.as_view(), name="import_list"),
    path("impor/templat/", views.ImportTemplateView.as_view(), name="import_template"),
    path("impor/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("impor/<int:pk>/kemajuan/", views.ImportProgressView.as_view(), name="import_progress"),
    path("impor/<int:pk>/ditolak.csv", views.ImportRejectedCsvView.as_view(), name="import_rejected"),
]
