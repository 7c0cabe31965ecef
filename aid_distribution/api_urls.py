"""API routes of aid distribution, included under /api/v1/aid/ by kertapati_welfare/api_urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from aid_distribution import api

router = SimpleRouter()
router.register("rounds", api.RoundViewSet, basename="aid-round")

urlpatterns = [
    path("deliveries/", api.DeliveryCreateAPIView.as_view(), name="aid-delivery-create"),
    path("deliveries/batch/", api.DeliveryBatchAPIView.as_view(), name="aid-delivery-batch"),
    path("deliveries/<uuid:client_uuid>/photo/", api.DeliveryPhotoAPIView.as_view(), name="aid-delivery-photo"),
    *router.urls,
]
