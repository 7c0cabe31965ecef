from django.urls import path

from field_app import api, views

app_name = "field_app"

urlpatterns = [
    path("", views.AppView.as_view(), name="app"),
    path("sw.js", views.ServiceWorkerView.as_view(), name="service_worker"),
    path("manifest.webmanifest", views.ManifestView.as_view(), name="manifest"),
    path("api/saya/", api.MeAPIView.as_view(), name="api_me"),
    path("api/keluar/", api.LogoutAPIView.as_view(), name="api_logout"),
    path("api/putaran/<int:pk>/kartu/", api.RoundCardsAPIView.as_view(), name="api_round_cards"),
]
