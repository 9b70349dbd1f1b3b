from django.urls import path

from . import views

app_name = "tenants"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("signup/<uuid:tenant_id>/", views.progress, name="progress"),
    path("signup/<uuid:tenant_id>/status/", views.status, name="status"),
    path("signup/<uuid:tenant_id>/retry/", views.retry, name="retry"),
    path("signup/<uuid:tenant_id>/confirm/<str:token>/", views.confirm_owner, name="confirm_owner"),
    path("signup/<uuid:tenant_id>/resend/", views.resend_confirmation, name="resend_confirmation"),
]
