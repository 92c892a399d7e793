from django.urls import path

from maps import views

app_name = "maps"
urlpatterns = [
    path("", views.street_map_page, name="street"),
    path("grid/<str:code>/", views.grid_dashboard, name="grid"),
]
