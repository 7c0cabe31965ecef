from django.urls import path

from aid_distribution import views

app_name = "aid_distribution"

urlpatterns = [
    path("", views.RoundListView.as_view(), name="round_list"),
    path("putaran/baru/", views.RoundCreateView.as_view(), name="round_create"),
    path("putaran/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("putaran/<int:pk>/status/<str:action>/", views.RoundTransitionView.as_view(), name="round_transition"),
    path("putaran/<int:pk>/sasaran/", views.RoundTargetView.as_view(), name="round_target"),
    path("putaran/<int:pk>/penerima/", views.RoundHouseholdsView.as_view(), name="round_households"),
    path(
        "putaran/<int:pk>/penerima/<int:entitlement_pk>/hapus/",
        views.EntitlementRemoveView.as_view(),
        name="entitlement_remove",
    ),
    path(
        "putaran/<int:pk>/penerima/<int:entitlement_pk>/serahkan/",
        views.DeliveryCreateView.as_view(),
        name="delivery_create",
    ),
    path(
        "putaran/<int:pk>/penerima/<int:entitlement_pk>/tidak-tersalurkan/",
        views.UndeliveredCreateView.as_view(),
        name="undelivered_create",
    ),
    path("putaran/<int:pk>/kartu/", views.CardLookupView.as_view(), name="card_lookup"),
    path("putaran/<int:pk>/kartu.pdf", views.RoundCardsPdfView.as_view(), name="round_cards_pdf"),
    path("putaran/<int:pk>/stok/", views.StockMovementCreateView.as_view(), name="stock_create"),
    path("putaran/<int:pk>/rekonsiliasi/", views.ReconciliationView.as_view(), name="round_reconciliation"),
    path("putaran/<int:pk>/berita-acara.pdf", views.HandoverPdfView.as_view(), name="round_handover_pdf"),
    path("penyerahan/<int:delivery_pk>/foto/", views.DeliveryPhotoView.as_view(), name="delivery_photo"),
    path("keluarga/<int:household_pk>/kartu.pdf", views.HouseholdCardView.as_view(), name="household_card"),
    path(
        "keluarga/<int:household_pk>/kartu/ganti/",
        views.HouseholdCardReissueView.as_view(),
        name="household_card_reissue",
    ),
    path("rt/<int:rt_pk>/kartu.pdf", views.RtCardsPdfView.as_view(), name="rt_cards_pdf"),
    path("koordinasi/", views.CoordinationView.as_view(), name="coordination"),
    path("dukungan/", views.SupportCaseListView.as_view(), name="supportcase_list"),
    path("dukungan/baru/", views.SupportCaseCreateView.as_view(), name="supportcase_create"),
    path("dukungan/<int:pk>/", views.SupportCaseDetailView.as_view(), name="supportcase_detail"),
    path("dukungan/<int:pk>/sesi/", views.SupportSessionCreateView.as_view(), name="supportsession_create"),
]
