from django.urls import path

from . import views

urlpatterns = [
    path("handoff/", views.handoff, name="accounts_handoff"),
    path("invitation/<str:token>/", views.invitation_open, name="accounts_invitation"),
    path("preferences/", views.preferences, name="accounts_preferences"),
]
