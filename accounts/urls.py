from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("perangkat/", views.DeviceTokenListView.as_view(), name="devicetoken_list"),
    path("perangkat/<int:pk>/cabut/", views.DeviceTokenRevokeView.as_view(), name="devicetoken_revoke"),
]
