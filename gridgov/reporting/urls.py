"""Dual reporting (双报到), mounted at /reporting/ (gridgov/urls.py)."""

from django.urls import path

from gridgov.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.register, name="register"),
    path("me/", views.me, name="me"),
    path("pending/", views.pending, name="pending"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/<slug:step>/", views.member_step, name="member_step"),
    path("units/", views.units, name="units"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/export.<str:fmt>", views.unit_export, name="unit_export"),
    path("units/<int:pk>/report/", views.unit_report_record, name="unit_report_record"),
    path("units/<int:pk>/agreement/", views.agreement_sign, name="agreement_sign"),
    path("unit-reports/<int:pk>/<slug:step>/", views.unit_report_step, name="unit_report_step"),
]
