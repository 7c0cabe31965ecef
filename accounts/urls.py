from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("2fa/siapkan/", views.OtpSetupView.as_view(), name="otp_setup"),
    path("2fa/qr.png", views.OtpQrView.as_view(), name="otp_qr"),
    path("2fa/verifikasi/", views.OtpVerifyView.as_view(), name="otp_verify"),
    path("perangkat/", views.DeviceTokenListView.as_view(), name="devicetoken_list"),
    path("perangkat/<int:pk>/cabut/", views.DeviceTokenRevokeView.as_view(), name="devicetoken_revoke"),
]
