import zoneinfo

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone, translation

# Set by the public host's language switch on the parent domain (accounts.views_public.set_language),
# so that a workspace host (a subdomain) starts in the language chosen there.
PARENT_LANGUAGE_COOKIE = "chorus_language"


class UserLanguageMiddleware:
    """A signed-in user's language wins; otherwise the language cookie, then the tenant's default.
    A signed-in user's time zone is activated too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        tenant = getattr(request, "tenant", None)
        code = None
        if user is not None and user.is_authenticated:
            code = getattr(user, "language", None)
            self._activate_timezone(getattr(user, "timezone", "UTC"))
        else:
            timezone.deactivate()
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and tenant is not None and not tenant.is_public:
                # the language chosen on the public host (a cookie on the parent domain), else the
                # workspace's default
                chosen = request.COOKIES.get(PARENT_LANGUAGE_COOKIE)
                code = chosen if chosen in dict(settings.LANGUAGES) else tenant.settings_data["default_language"]
        if code:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)

    @staticmethod
    def _activate_timezone(name: str) -> None:
        try:
            timezone.activate(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()


class AdminAccessMiddleware:
    """Signed-in people who are not admins of this workspace get a clear 403 from /admin/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/"):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and not (user.is_active and user.is_staff):
                return render(request, "accounts/admin_forbidden.html", status=403)
        return self.get_response(request)
