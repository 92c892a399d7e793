from django.urls import path

from maps.planning import groups_views as groups
from maps.planning import teams_views as teams
from maps.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.planning_page, name="page"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("propose/", views.plan_propose, name="propose"),
    path("<int:pk>/<slug:step>/", views.plan_step, name="step"),
    path("groups/", groups.open_grid, {"what": "groups"}, name="open_groups"),
    path("groups/<str:code>/", groups.groups_page, name="groups"),
    path("groups/<str:code>/export.csv", groups.groups_csv, name="groups_csv"),
    path("teams/", groups.open_grid, {"what": "teams"}, name="open_teams"),
    path("teams/<str:code>/", teams.teams_page, name="teams"),
]
