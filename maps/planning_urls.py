from django.urls import path

from maps import planning_views as views

app_name = "planning"
urlpatterns = [
    path("", views.planning_page, name="page"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("propose/", views.plan_propose, name="propose"),
    path("<int:pk>/<slug:step>/", views.plan_step, name="step"),
]
