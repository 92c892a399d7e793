from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # APIs have no language prefix.
    path("api/", include("gridgov.api.urls")),
    path("tiles/", include("maps.tiles.urls")),
    path("open311/", include("gridgov.api.open311_urls")),
]
# zh-hans (the default) has no prefix; English lives under /en/.
urlpatterns += i18n_patterns(
    path("", include("gridgov.home.urls")),
    path("map/", include("maps.urls")),
    path("find/", include("maps.finder")),
    path("cases/", include("gridgov.cases.urls")),
    path("planning/", include("maps.planning.urls")),
    path("reporting/", include("gridgov.reporting.urls")),
    path("service/", include("gridgov.service.urls")),
    path("posts/", include("gridgov.posts.urls")),
    path("points/", include("gridgov.points.urls")),
    path("patrols/", include("gridgov.patrols.urls")),
    path("notices/", include("gridgov.notices.urls")),
    path("reports/", include("gridgov.reports.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
