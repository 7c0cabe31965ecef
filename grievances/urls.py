from django.urls import path

from grievances import views

app_name = "grievances"

urlpatterns = [
    path("", views.GrievanceListView.as_view(), name="grievance_list"),
    path("baru/", views.GrievanceCreateView.as_view(), name="grievance_create"),
    path("massal/", views.GrievanceBulkView.as_view(), name="grievance_bulk"),
    path("tugas-saya/", views.MyTasksView.as_view(), name="my_tasks"),
    path("statistik/", views.GrievanceStatsView.as_view(), name="grievance_stats"),
    path("<int:pk>/", views.GrievanceDetailView.as_view(), name="grievance_detail"),
    path("<int:pk>/tugaskan/", views.GrievanceAssignView.as_view(), name="grievance_assign"),
    path("<int:pk>/status/", views.GrievanceStatusView.as_view(), name="grievance_status"),
    path("permintaan-subjek-data/", views.SubjectRequestListView.as_view(), name="subjectrequest_list"),
    path("permintaan-subjek-data/baru/", views.SubjectRequestCreateView.as_view(), name="subjectrequest_create"),
    path("permintaan-subjek-data/<int:pk>/", views.SubjectRequestDetailView.as_view(), name="subjectrequest_detail"),
    path("perubahan-data/", views.ChangeRequestListView.as_view(), name="changerequest_list"),
    path("perubahan-data/baru/", views.ChangeRequestCreateView.as_view(), name="changerequest_create"),
    path("perubahan-data/<int:pk>/", views.ChangeRequestDetailView.as_view(), name="changerequest_detail"),
    path("perubahan-data/<int:pk>/putuskan/", views.ChangeRequestDecideView.as_view(), name="changerequest_decide"),
    path("perubahan-data/<int:pk>/bukti/", views.ChangeRequestEvidenceView.as_view(), name="changerequest_evidence"),
]
