from django.urls import path

from gridgov.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.quarterly_page, name="quarterly"),
    path("quarterly.csv", views.quarterly_export, {"fmt": "csv"}, name="quarterly_csv"),
    path("quarterly.xlsx", views.quarterly_export, {"fmt": "xlsx"}, name="quarterly_xlsx"),
    path("annual/", views.annual_page, name="annual"),
    path("annual.csv", views.annual_export, {"fmt": "csv"}, name="annual_csv"),
    path("annual.xlsx", views.annual_export, {"fmt": "xlsx"}, name="annual_xlsx"),
]
