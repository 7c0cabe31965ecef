from django.urls import path

from infrastructure import views

app_name = "infrastructure"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("peta/", views.ProjectMapView.as_view(), name="project_map"),
    path("ekspor.xlsx", views.ProjectExportView.as_view(), name="project_export"),
    path("baru/", views.ProjectCreateView.as_view(), name="project_create"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/ubah/", views.ProjectUpdateView.as_view(), name="project_update"),
    path("<int:pk>/status/", views.ProjectStatusView.as_view(), name="project_status"),
    path("<int:pk>/laporan/", views.ProgressUpdateCreateView.as_view(), name="progressupdate_create"),
    path("<int:pk>/lembar.pdf", views.ProjectSheetView.as_view(), name="project_sheet"),
    path("foto/<int:pk>/", views.PhotoView.as_view(), name="photo"),
]
