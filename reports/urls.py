from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportRunListView.as_view(), name="reportrun_list"),
    path("buat/", views.ReportRunCreateView.as_view(), name="reportrun_create"),
    path("<int:pk>/", views.ReportRunDetailView.as_view(), name="reportrun_detail"),
    path("<int:pk>/ulang/", views.ReportRunRetryView.as_view(), name="reportrun_retry"),
    path("berkas/<int:pk>/", views.ReportFileDownloadView.as_view(), name="reportfile_download"),
    path("dasbor/", views.DashboardView.as_view(), name="dashboard"),
    path("dasbor/hitung-ulang/", views.DashboardRefreshView.as_view(), name="dashboard_refresh"),
]
