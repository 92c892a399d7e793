"""Dual reporting (双报到), mounted at /reporting/ (gridgov/urls.py)."""

from django.urls import path

from gridgov.reporting import unit_views, views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.register, name="register"),
    path("me/", views.me, name="me"),
    path("pending/", views.pending, name="pending"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/<slug:step>/", views.member_step, name="member_step"),
    path("units/", unit_views.units, name="units"),
    path("units/<int:pk>/", unit_views.unit_detail, name="unit"),
    path("units/<int:pk>/export.<str:fmt>", unit_views.unit_export, name="unit_export"),
    path("units/<int:pk>/report/", unit_views.unit_report_record, name="unit_report_record"),
    path("units/<int:pk>/agreement/", unit_views.agreement_sign, name="agreement_sign"),
    path(
        "unit-reports/<int:pk>/<slug:step>/", unit_views.unit_report_step, name="unit_report_step"
    ),
]
