"""/open311/v2/: Open311 GeoReport v2 (``.json`` or ``.xml`` on every resource)."""

from django.urls import re_path

from gridgov.api import open311
from gridgov.api.notfound import open311_not_found

app_name = "open311"

FMT = r"\.(?P<format>json|xml)$"

urlpatterns = [
    re_path(r"^v2/services" + FMT, open311.ServiceList.as_view(), name="services"),
    re_path(
        r"^v2/services/(?P<code>[-\w]+)" + FMT, open311.ServiceDefinition.as_view(), name="service"
    ),
    re_path(r"^v2/requests" + FMT, open311.RequestList.as_view(), name="requests"),
    re_path(r"^v2/requests/(?P<id>[-\w]+)" + FMT, open311.RequestDetail.as_view(), name="request"),
    re_path(r"^(?P<rest>(?s:.*))$", open311_not_found, name="not-found"),  # last: Open311 errors
]
