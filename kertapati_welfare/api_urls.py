"""REST API (docs/architecture.md §5): /api/v1/..., schema at /api/schema/, docs at /api/docs/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import DeviceTokenObtainView

urlpatterns = [
    path("v1/auth/token/", DeviceTokenObtainView.as_view(), name="api_token"),
    path("v1/aid/", include("aid_distribution.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]
