from django.urls import path
from django.views.generic import RedirectView

from gridgov.service import views

app_name = "service"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="service:activities"), name="index"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="edit"),
    path("activities/<int:pk>/manage/", views.activity_manage, name="manage"),
    path("activities/<int:pk>/<slug:action>/", views.activity_action, name="action"),
    path("signups/<int:pk>/<slug:action>/", views.signup_action, name="signup"),
    path("self/", views.self_list, name="self_list"),
    path("self/new/", views.self_new, name="self_new"),
    path("self/<int:pk>/", views.self_detail, name="self"),
    path("self/<int:pk>/photo/", views.self_photo, name="self_photo"),
    path("self/<int:pk>/<slug:action>/", views.self_review, name="self_review"),
]
