"""Patrol pages, mounted at /patrols/ (gridgov/urls.py)."""

from django.urls import path

from gridgov.patrols import views

app_name = "patrols"
urlpatterns = [
    path("", views.route_list, name="list"),
    path("routes/<int:pk>/", views.route_detail, name="route"),
    path("routes/<int:pk>/record/", views.patrol_new, name="record"),
    path("<int:pk>/", views.patrol_detail, name="patrol"),
    path("<int:pk>/findings/", views.finding_new, name="finding_add"),
    path("findings/<int:pk>/case/", views.finding_case, name="finding_case"),
]
