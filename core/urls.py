from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("privasi/", views.PrivacyNoticeView.as_view(), name="privacy"),
]
