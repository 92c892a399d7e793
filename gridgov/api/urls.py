"""/api/: the REST API (v1), its OpenAPI schema and offline docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gridgov.api import activities, cases, grids, people
from gridgov.api.notfound import api_not_found
from gridgov.api.schema import GridGovSchemaGenerator

app_name = "api"

urlpatterns = [
    path("v1/grids/", grids.GridList.as_view(), name="grids"),
    path("v1/locate/", grids.LocateView.as_view(), name="locate"),
    re_path(r"^v1/export/(?P<layer>[^/.]+)\.geojson$", grids.ExportView.as_view(), name="export"),
    path("v1/members/", people.MemberList.as_view(), name="members"),
    path("v1/residents/", people.ResidentList.as_view(), name="residents"),
    path("v1/cases/", cases.CaseList.as_view(), name="cases"),
    path("v1/patrol-routes/", cases.PatrolRouteList.as_view(), name="patrol-routes"),
    path("v1/activities/", activities.ActivityList.as_view(), name="activities"),
    path("v1/activities/<int:id>/", activities.ActivityDetail.as_view(), name="activity"),
    path(
        "schema/", SpectacularAPIView.as_view(generator_class=GridGovSchemaGenerator), name="schema"
    ),
    # The split view serves Swagger UI's start-up code as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^(?P<rest>(?s:.*))$", api_not_found, name="not-found"),  # last: JSON, not HTML
]
