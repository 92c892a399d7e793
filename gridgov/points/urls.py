from django.urls import path

from gridgov.points import views

app_name = "points"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("mall/", views.mall, name="mall"),
    path("mall/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("redemptions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("staff/members/", views.members, name="members"),
    path("staff/members/<int:pk>/", views.member, name="member"),
    path("staff/members/<int:pk>/adjust/", views.adjust, name="adjust"),
    path("staff/redemptions/", views.redemptions, name="redemptions"),
    path("staff/redemptions/<int:pk>/hand-over/", views.hand_over, name="hand_over"),
]
