from django.urls import path

from gridgov.posts import views
from gridgov.posts.lists import views as list_views

app_name = "posts"
urlpatterns = [
    path("", views.post_list, name="list"),
    path("<int:pk>/claim/", views.post_claim, name="claim"),
    path("assign/", views.post_assign, name="assign"),
    path("mine/", views.mine, name="mine"),
    path("claims/<int:pk>/act/", views.claim_act, name="act"),
    path("claims/<int:pk>/release/", views.claim_release, name="release"),
    path("resources/add/", views.resource_add, name="resource_add"),
    path("resources/<int:pk>/toggle/", views.resource_toggle, name="resource_toggle"),
    path("unclaimed/", views.unclaimed, name="unclaimed"),
    path("overdue/", views.overdue, name="overdue"),
    path("lists/", list_views.lists, name="lists"),
    path("lists/confirm/", list_views.confirm, name="confirm"),
    path("lists/entries/<int:pk>/done/", list_views.entry_done, name="entry_done"),
    path("lists/entries/<int:pk>/cancel/", list_views.entry_cancel, name="entry_cancel"),
]
