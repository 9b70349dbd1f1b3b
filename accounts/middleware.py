from django.conf import settings
from django.shortcuts import render
from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user's language wins; otherwise the language cookie, then the tenant's default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", None):
            code = user.language
        elif settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            tenant = getattr(request, "tenant", None)
            if tenant is not None and not tenant.is_public:
                code = tenant.settings_data["default_language"]
        if code:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)


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
