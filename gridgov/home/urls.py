"""The front pages, mounted at the site's root by gridgov/urls.py."""

from django.urls import path

from gridgov.home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.landing, name="landing"),
    path("more/", views.menu, name="menu"),
    path("me/", views.member_home, name="member_home"),
]
