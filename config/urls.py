"""URLs of a tenant host."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as accounts_views
from config import dashboard
from core.views import healthz

admin.site.site_header = admin.site.site_title = "Chorus"
dashboard.install(admin.site)  # the tenant admin opens on its dashboard

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/login/", accounts_views.admin_login, name="admin_login_throttled"),  # before the admin's own
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("chat/", include("chat.urls")),
    path("documents/", include("documents.urls")),
    path("billing/", include("billing.urls")),
    path("privacy/", include("privacy.urls")),
    path("", RedirectView.as_view(url="/chat/", permanent=False), name="home"),
]

handler500 = "core.views.server_error"  # 503 while the database or Redis is down
