"""URLs of the public host: landing page, workspace signup, operator admin, OAuth, webhooks."""

from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from accounts import views_public as accounts_public
from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/login/", accounts_views.admin_login, name="admin_login_throttled"),  # before the admin's own
    path("admin/", admin.site.urls),
    path("oauth/", include("allauth.socialaccount.providers.google.urls")),
    path("oauth/start/<str:provider>/", accounts_public.oauth_start, name="oauth_start"),
    path("signup/<uuid:tenant_id>/signin/", accounts_public.owner_signin, name="owner_signin"),
    path("i18n/setlang/", accounts_public.set_language, name="set_language_public"),  # before Django's own
    path("i18n/", include("django.conf.urls.i18n")),
    path("billing/", include("billing.urls_public")),
    path("", include("tenants.urls")),
]

handler500 = "core.views.server_error"  # 503 while the database or Redis is down
