from django.urls import path

from gridgov.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/<slug:step>/", views.case_step, name="step"),
]
